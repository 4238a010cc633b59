import { Module } from '@nestjs/common';
import { RunEventsCompaction } from './run-events-compaction.js';
import { RunEventsRepository } from './run-events.repository.js';
import { RunEventsService } from './run-events.service.js';

/** A run's stored event stream: appends, replays, live reading on every replica, and compaction of old token events. */
@Module({ providers: [RunEventsService, RunEventsRepository, RunEventsCompaction], exports: [RunEventsService] })
export class RunEventsModule {}
