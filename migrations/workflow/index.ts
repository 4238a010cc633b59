import { CreateWorkflowSchema1763900000200 } from './1763900000200-CreateWorkflowSchema.js';

export const workflowMigrations = [CreateWorkflowSchema1763900000200];
