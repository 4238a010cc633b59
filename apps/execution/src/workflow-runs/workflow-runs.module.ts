import { Module } from '@nestjs/common';
import { AgentLoopModule } from '../agent-loop/agent-loop.module.js';
import { RunEngineModule } from '../run-engine/run-engine.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { WorkflowRunsService } from './workflow-runs.service.js';

/** The workflow executor: it registers itself with the run engine for runs of kind 'workflow'; agent and llm nodes reuse the agent loop. */
@Module({ imports: [RunEngineModule, AgentLoopModule, ToolsModule], providers: [WorkflowRunsService], exports: [WorkflowRunsService] })
export class WorkflowRunsModule {}
