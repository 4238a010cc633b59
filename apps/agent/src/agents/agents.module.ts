import { Module } from '@nestjs/common';
import { KnowledgeBasesModule } from '../knowledge-bases/knowledge-bases.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { AgentsHandler } from './agents.handler.js';
import { AgentsPurge } from './agents-purge.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { ToolOwnership } from './tool-ownership.js';

@Module({
  imports: [TemplatesModule, ProjectsModule, KnowledgeBasesModule],
  controllers: [AgentsHandler],
  providers: [AgentsService, AgentsRepository, ToolOwnership, AgentsPurge],
  exports: [AgentsService],
})
export class AgentsModule {}
