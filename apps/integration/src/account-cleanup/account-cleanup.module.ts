import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module.js';
import { IntegrationEventsModule } from '../integration-events/integration-events.module.js';
import { McpServersModule } from '../mcp-servers/mcp-servers.module.js';
import { ToolRegistryModule } from '../tool-registry/tool-registry.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [ToolRegistryModule, McpServersModule, UsageModule, IntegrationEventsModule, ConnectionsModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService] })
export class AccountCleanupModule {}
