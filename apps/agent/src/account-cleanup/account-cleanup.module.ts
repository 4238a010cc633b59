import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { ProjectDeletedHandler } from './project-deleted.handler.js';
import { UserDeletedHandler } from './user-deleted.handler.js';

@Module({ imports: [AgentsModule, TemplatesModule], controllers: [UserDeletedHandler, ProjectDeletedHandler] })
export class AccountCleanupModule {}
