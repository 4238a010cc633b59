import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { AgentsHandler } from './agents.handler.js';
import { AgentsPurge } from './agents-purge.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';

@Module({
  imports: [TemplatesModule, ProjectsModule],
  controllers: [AgentsHandler],
  providers: [AgentsService, AgentsRepository, AgentsPurge],
  exports: [AgentsService],
})
export class AgentsModule {}
