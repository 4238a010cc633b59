import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { WorkflowConfigModule } from './workflow-config.module.js';
import { DefinitionsModule } from './definitions/definitions.module.js';
import { PublicLinksModule } from './public-links/public-links.module.js';
import { SchedulesModule } from './schedules/schedules.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WorkflowsModule } from './workflows/workflows.module.js';

@Module({ imports: [WorkflowConfigModule, DefinitionsModule, WorkflowsModule, PublicLinksModule, SchedulesModule, WebhooksModule, AccountCleanupModule] })
export class WorkflowModule {}
