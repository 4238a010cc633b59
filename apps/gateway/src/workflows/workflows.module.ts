import { Module } from '@nestjs/common';
import { WorkflowsController } from './workflows.controller.js';

/** /workflows: definitions, validation, versions and diffs, publishing, export / import. */
@Module({ controllers: [WorkflowsController] })
export class WorkflowsModule {}
