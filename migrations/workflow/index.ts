import { CreateWorkflowSchema1763900000200 } from './1763900000200-CreateWorkflowSchema.js';
import { CreateWorkflows1766000000200 } from './1766000000200-CreateWorkflows.js';
import { CreatePublicLinks1766000000210 } from './1766000000210-CreatePublicLinks.js';
import { CreateSchedules1766000000220 } from './1766000000220-CreateSchedules.js';
import { CreateWebhookTriggers1766000000230 } from './1766000000230-CreateWebhookTriggers.js';
import { RowLevelSecurity1767900000200 } from './1767900000200-RowLevelSecurity.js';
import { TriggersRowLevelSecurity1767950000200 } from './1767950000200-TriggersRowLevelSecurity.js';
import { ChildrenRowLevelSecurity1768200000200 } from './1768200000200-ChildrenRowLevelSecurity.js';

export const workflowMigrations = [CreateWorkflowSchema1763900000200, CreateWorkflows1766000000200, CreatePublicLinks1766000000210, CreateSchedules1766000000220, CreateWebhookTriggers1766000000230, RowLevelSecurity1767900000200, TriggersRowLevelSecurity1767950000200, ChildrenRowLevelSecurity1768200000200];
