import { Module } from '@nestjs/common';
import { AgentToolsController } from './agent-tools.controller.js';
import { AgentsController } from './agents.controller.js';
import { TemplatesController } from './templates.controller.js';

/** HTTP routes of the agent service. The tools controller comes first so /agents/import is not read as /agents/:id. */
@Module({ controllers: [AgentToolsController, AgentsController, TemplatesController] })
export class AgentsHttpModule {}
