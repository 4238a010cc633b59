import type { BusServiceDefinition } from '#service-kit';
import { workflowMigrations } from '../../../migrations/workflow/index.js';
import { WorkflowModule } from './workflow.module.js';
import { WorkflowVersionEntity } from './workflows/workflow-version.entity.js';
import { WorkflowEntity } from './workflows/workflow.entity.js';

export const workflowApp: BusServiceDefinition = {
  name: 'workflow',
  module: WorkflowModule,
  entities: [WorkflowEntity, WorkflowVersionEntity],
  migrations: workflowMigrations,
};
