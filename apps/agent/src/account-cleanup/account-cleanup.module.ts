import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { KnowledgeBasesModule } from '../knowledge-bases/knowledge-bases.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [AgentsModule, TemplatesModule, KnowledgeBasesModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService], exports: [AccountCleanupService] })
export class AccountCleanupModule {}
