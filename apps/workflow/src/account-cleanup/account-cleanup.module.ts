import { Module } from '@nestjs/common';
import { SchedulesModule } from '../schedules/schedules.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [WorkflowsModule, SchedulesModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService] })
export class AccountCleanupModule {}
