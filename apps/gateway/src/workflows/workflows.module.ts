import { Module } from '@nestjs/common';
import { WorkflowPublishingController } from './workflow-publishing.controller.js';
import { WorkflowWebhooksController } from './workflow-webhooks.controller.js';
import { WorkflowsController } from './workflows.controller.js';

/** /workflows: definitions, validation, versions and diffs, export / import (WorkflowsController); publishing and public links (WorkflowPublishingController); inbound webhook triggers (WorkflowWebhooksController). */
@Module({ controllers: [WorkflowsController, WorkflowPublishingController, WorkflowWebhooksController] })
export class WorkflowsModule {}
