import { Module } from '@nestjs/common';
import { AgentConfigCache } from '../config-cache/agent-config-cache.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { AgentsHandler } from './agents.handler.js';
import { AgentsPurge } from './agents-purge.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { ProjectOwnership } from './project-ownership.js';

/** The cache lives here because every agent write must invalidate it. */
@Module({
  imports: [TemplatesModule],
  controllers: [AgentsHandler],
  providers: [AgentsService, AgentsRepository, AgentConfigCache, ProjectOwnership, AgentsPurge],
  exports: [AgentsService, AgentsRepository, AgentConfigCache, AgentsPurge],
})
export class AgentsModule {}
