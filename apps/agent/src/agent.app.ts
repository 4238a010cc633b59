import type { BusServiceDefinition } from '#service-kit';
import { agentMigrations } from '../../../migrations/agent/index.js';
import { AgentModule } from './agent.module.js';
import { AgentVersionEntity } from './agents/agent-version.entity.js';
import { AgentEntity } from './agents/agent.entity.js';
import { TemplateEntity } from './templates/template.entity.js';

export const agentApp: BusServiceDefinition = {
  name: 'agent',
  module: AgentModule,
  entities: [AgentEntity, AgentVersionEntity, TemplateEntity],
  migrations: agentMigrations,
};
