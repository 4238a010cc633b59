import { Module } from '@nestjs/common';
import { WorkflowPublishingController } from './workflow-publishing.controller.js';
import { WorkflowsController } from './workflows.controller.js';

/** /workflows: definitions, validation, versions and diffs, export / import (WorkflowsController); publishing and public links (WorkflowPublishingController). */
@Module({ controllers: [WorkflowsController, WorkflowPublishingController] })
export class WorkflowsModule {}
