import { Module } from '@nestjs/common';
import { TemplatesModule } from '../templates/templates.module.js';
import { AgentsHandler } from './agents.handler.js';
import { AgentsPurge } from './agents-purge.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { ProjectOwnership } from '#service-kit';

@Module({
  imports: [TemplatesModule],
  controllers: [AgentsHandler],
  providers: [AgentsService, AgentsRepository, ProjectOwnership, AgentsPurge],
  exports: [AgentsService],
})
export class AgentsModule {}
