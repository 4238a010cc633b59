import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { ScheduleTicker } from './schedule-ticker.js';
import { SchedulesHandler } from './schedules.handler.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SchedulesService } from './schedules.service.js';

/** Cron schedules of workflows and automation agents, and the ticker that fires them. */
@Module({ imports: [WorkflowsModule], controllers: [SchedulesHandler], providers: [SchedulesService, SchedulesRepository, ScheduleTicker], exports: [SchedulesService] })
export class SchedulesModule {}
