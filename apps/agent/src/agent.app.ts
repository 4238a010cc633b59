import type { BusServiceDefinition } from '#service-kit';
import { agentMigrations } from '../../../migrations/agent/index.js';
import { AgentModule } from './agent.module.js';

export const agentApp: BusServiceDefinition = {
  name: 'agent',
  module: AgentModule,
  entities: [],
  migrations: agentMigrations,
};
