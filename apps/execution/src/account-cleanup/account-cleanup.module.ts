import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { AgentDeletedHandler } from './agent-deleted.handler.js';
import { UserDeletedHandler } from './user-deleted.handler.js';

@Module({ imports: [RunsModule, SessionsModule, UsageModule], controllers: [UserDeletedHandler, AgentDeletedHandler] })
export class AccountCleanupModule {}
