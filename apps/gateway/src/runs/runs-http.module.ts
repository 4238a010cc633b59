import { Module } from '@nestjs/common';
import { AgentRunsController } from './agent-runs.controller.js';
import { RunsController } from './runs.controller.js';
import { SessionsController } from './sessions.controller.js';
import { UsageController } from './usage.controller.js';

/** HTTP routes of the execution service: starting and following runs, sessions, usage. */
@Module({ controllers: [AgentRunsController, RunsController, SessionsController, UsageController] })
export class RunsHttpModule {}
