import { Module } from '@nestjs/common';
import { PublicWorkflowsController } from './public-workflows.controller.js';

@Module({ controllers: [PublicWorkflowsController] })
export class PublicWorkflowsModule {}
