import type { BusServiceDefinition } from '#service-kit';
import { executionMigrations } from '../../../migrations/execution/index.js';
import { ExecutionModule } from './execution.module.js';

export const executionApp: BusServiceDefinition = {
  name: 'execution',
  module: ExecutionModule,
  entities: [],
  migrations: executionMigrations,
};
