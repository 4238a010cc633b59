import type { BusServiceDefinition } from '#service-kit';
import { workflowMigrations } from '../../../migrations/workflow/index.js';
import { WorkflowModule } from './workflow.module.js';

export const workflowApp: BusServiceDefinition = {
  name: 'workflow',
  module: WorkflowModule,
  entities: [],
  migrations: workflowMigrations,
};
