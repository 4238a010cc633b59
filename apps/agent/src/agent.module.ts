import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AgentConfigModule } from './agent-config.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { ChunksModule } from './chunks/chunks.module.js';
import { ConfigCacheModule } from './config-cache/config-cache.module.js';
import { DocumentsModule } from './documents/documents.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { KnowledgeBasesModule } from './knowledge-bases/knowledge-bases.module.js';
import { KnowledgeSearchModule } from './knowledge-search/knowledge-search.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { WizardModule } from './wizard/wizard.module.js';

@Module({
  imports: [
    AgentConfigModule,
    AgentsModule,
    WizardModule,
    TemplatesModule,
    ConfigCacheModule,
    AccountCleanupModule,
    KnowledgeBasesModule,
    DocumentsModule,
    ChunksModule,
    IngestionModule,
    KnowledgeSearchModule,
  ],
})
export class AgentModule {}
