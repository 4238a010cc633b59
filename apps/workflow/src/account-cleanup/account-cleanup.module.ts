import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [WorkflowsModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService] })
export class AccountCleanupModule {}
