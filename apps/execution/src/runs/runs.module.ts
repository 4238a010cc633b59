import { Module } from '@nestjs/common';
import { EphemeralKeys } from './ephemeral-keys.js';
import { ExecutorRegistry } from './executor-registry.js';
import { RunEndings } from './run-endings.js';
import { RunEventsCompaction } from './run-events-compaction.js';
import { RunEventsHub } from './run-events-hub.js';
import { RunQueue } from './run-queue.js';
import { RunWorker } from './run-worker.js';
import { RunsRepository } from './runs.repository.js';

@Module({ providers: [RunsRepository, RunEndings, RunEventsHub, RunEventsCompaction, RunQueue, RunWorker, ExecutorRegistry, EphemeralKeys], exports: [RunsRepository, RunEndings, RunEventsHub, RunEventsCompaction, RunQueue, RunWorker, ExecutorRegistry, EphemeralKeys] })
export class RunsModule {}
