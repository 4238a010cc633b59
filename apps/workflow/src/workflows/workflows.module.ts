import { Module } from '@nestjs/common';
import { ProjectOwnership } from '#service-kit';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { WorkflowsHandler } from './workflows.handler.js';
import { WorkflowsRepository } from './workflows.repository.js';
import { WorkflowsService } from './workflows.service.js';

@Module({
  imports: [DefinitionsModule],
  controllers: [WorkflowsHandler],
  providers: [WorkflowsService, WorkflowsRepository, ProjectOwnership],
  exports: [WorkflowsService],
})
export class WorkflowsModule {}
