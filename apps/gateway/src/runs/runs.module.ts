import { Module } from '@nestjs/common';
import { AgentRunsController } from './agent-runs.controller.js';
import { RunsController } from './runs.controller.js';
import { RunWebhooksController } from './run-webhooks.controller.js';
import { RunsService } from './runs.service.js';
import { WorkflowRunsController } from './workflow-runs.controller.js';

/** Starting runs (POST /agents/:id/runs, POST /workflows/:id/runs) and following them (/runs); RunsService starts runs for other routes too. */
@Module({ controllers: [AgentRunsController, WorkflowRunsController, RunsController, RunWebhooksController], providers: [RunsService], exports: [RunsService] })
export class RunsModule {}
