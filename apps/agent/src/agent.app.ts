import type { BusServiceDefinition } from '#service-kit';
import { agentMigrations } from '../../../migrations/agent/index.js';
import { AgentModule } from './agent.module.js';
import { AgentVersionEntity } from './agents/agent-version.entity.js';
import { AgentEntity } from './agents/agent.entity.js';
import { ChunkEmbeddingEntity } from './chunks/chunk-embedding.entity.js';
import { ChunkEntity } from './chunks/chunk.entity.js';
import { DocumentEntity } from './documents/document.entity.js';
import { KnowledgeBaseEntity } from './knowledge-bases/knowledge-base.entity.js';
import { TemplateEntity } from './templates/template.entity.js';

export const agentApp: BusServiceDefinition = {
  name: 'agent',
  module: AgentModule,
  entities: [AgentEntity, AgentVersionEntity, TemplateEntity, KnowledgeBaseEntity, DocumentEntity, ChunkEntity, ChunkEmbeddingEntity],
  migrations: agentMigrations,
};
