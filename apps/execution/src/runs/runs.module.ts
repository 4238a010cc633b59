import { Module } from '@nestjs/common';
import { ExecutorRegistry } from './executor-registry.js';
import { RunQueue } from './run-queue.js';
import { RunWorker } from './run-worker.js';
import { RunsRepository } from './runs.repository.js';

@Module({ providers: [RunsRepository, RunQueue, RunWorker, ExecutorRegistry], exports: [RunsRepository, RunQueue, RunWorker, ExecutorRegistry] })
export class RunsModule {}
