import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AgentRunsModule } from './agent-runs/agent-runs.module.js';
import { ExecutionConfigModule } from './execution-config.module.js';
import { RunsApiModule } from './runs-api/runs-api.module.js';
import { RunsModule } from './runs/runs.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { UsageModule } from './usage/usage.module.js';

@Module({ imports: [ExecutionConfigModule, RunsModule, AgentRunsModule, SessionsModule, UsageModule, RunsApiModule, AccountCleanupModule] })
export class ExecutionModule {}
