import { Module } from '@nestjs/common';
import { AgentToolsController } from './agent-tools.controller.js';
import { AgentsController } from './agents.controller.js';

/** /agents: the agents and their versions (AgentsController), the wizard, export / import and the config cache (AgentToolsController). */
@Module({ controllers: [AgentToolsController, AgentsController] })
export class AgentsModule {}
