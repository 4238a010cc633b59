import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module.js';
import { AgentDeletedHandler } from './agent-deleted.handler.js';
import { UserDeletedHandler } from './user-deleted.handler.js';

@Module({ imports: [RunsModule], controllers: [UserDeletedHandler, AgentDeletedHandler] })
export class AccountCleanupModule {}
