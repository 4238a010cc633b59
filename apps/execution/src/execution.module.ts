import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AgentRunsModule } from './agent-runs/agent-runs.module.js';
import { ExecutionConfigModule } from './execution-config.module.js';
import { RunsModule } from './runs/runs.module.js';

@Module({ imports: [ExecutionConfigModule, RunsModule, AgentRunsModule, AccountCleanupModule] })
export class ExecutionModule {}
