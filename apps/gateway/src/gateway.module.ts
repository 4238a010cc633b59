import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { PlatformConfig } from '#config';
import type { Broadcast, BusClient } from '#messaging';
import { AdminModule } from './admin/admin.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ChunksModule } from './chunks/chunks.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { DocumentsModule } from './documents/documents.module.js';
import { GatewayCoreModule } from './gateway-core.module.js';
import { HealthModule } from './health/health.module.js';
import { ContractValidationPipe } from './http/contract-validation.pipe.js';
import { ProblemFilter } from './http/problem.filter.js';
import { KnowledgeBasesModule } from './knowledge-bases/knowledge-bases.module.js';
import { MeModule } from './me/me.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PlaygroundModule } from './playground/playground.module.js';
import { ProjectsModule } from './projects/projects.module.js';
import { PromptTemplatesModule } from './prompt-templates/prompt-templates.module.js';
import { RunsModule } from './runs/runs.module.js';
import { SearchModule } from './search/search.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { UsageModule } from './usage/usage.module.js';
import { ToolsModule } from './tools/tools.module.js';
import { McpServersModule } from './mcp-servers/mcp-servers.module.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { IntegrationEventsModule } from './integration-events/integration-events.module.js';
import { ConnectionsModule } from './connections/connections.module.js';
import { WorkflowsModule } from './workflows/workflows.module.js';
import { PublicWorkflowsModule } from './public-workflows/public-workflows.module.js';
import { SchedulesModule } from './schedules/schedules.module.js';
import { HooksModule } from './hooks/hooks.module.js';
import { OpenAiModule } from './openai/openai.module.js';
import { McpModule } from './mcp/mcp.module.js';

/** One module per route family (apps/gateway/src/<feature>/); the HTTP plumbing every route shares is in http/. */
@Module({})
export class GatewayModule {
  static forRoot(config: PlatformConfig, bus: BusClient, broadcast?: Broadcast): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        GatewayCoreModule.forRoot(config, bus, broadcast),
        HealthModule,
        AuthModule,
        MeModule,
        ApiKeysModule,
        AdminModule,
        SettingsModule,
        ProjectsModule,
        NotificationsModule,
        AgentsModule,
        TemplatesModule,
        PromptTemplatesModule,
        ConversationsModule,
        MessagesModule,
        SearchModule,
        AttachmentsModule,
        RunsModule,
        SessionsModule,
        UsageModule,
        PlaygroundModule,
        WorkflowsModule,
        PublicWorkflowsModule,
        SchedulesModule,
        HooksModule,
        KnowledgeBasesModule,
        DocumentsModule,
        ChunksModule,
        ToolsModule,
        McpServersModule,
        IntegrationsModule,
        IntegrationEventsModule,
        ConnectionsModule,
        MetricsModule,
        OpenAiModule,
        McpModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ContractValidationPipe },
      ],
    };
  }
}
