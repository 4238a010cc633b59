import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AgentLoopModule } from './agent-loop/agent-loop.module.js';
import { EmbeddingsModule } from './embeddings/embeddings.module.js';
import { ExecutionConfigModule } from './execution-config.module.js';
import { KnowledgeToolsModule } from './knowledge-tools/knowledge-tools.module.js';
import { IntegrationToolsModule } from './integration-tools/integration-tools.module.js';
import { RunEngineModule } from './run-engine/run-engine.module.js';
import { RunEventsModule } from './run-events/run-events.module.js';
import { RunsModule } from './runs/runs.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { ToolsModule } from './tools/tools.module.js';
import { UsageModule } from './usage/usage.module.js';

/**
 * runs/ is the run API the gateway calls; run-engine/ the queue and its workers; run-events/ a
 * run's stored event stream; agent-loop/ the executor of agent runs, with tools/.
 */
@Module({
  imports: [
    ExecutionConfigModule,
    RunsModule,
    RunEngineModule,
    RunEventsModule,
    AgentLoopModule,
    ToolsModule,
    SessionsModule,
    UsageModule,
    AccountCleanupModule,
    KnowledgeToolsModule,
    EmbeddingsModule,
    IntegrationToolsModule,
  ],
})
export class ExecutionModule {}
