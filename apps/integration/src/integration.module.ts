import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { ConnectionsModule } from './connections/connections.module.js';
import { IntegrationConfigModule } from './integration-config.module.js';
import { IntegrationEventsModule } from './integration-events/integration-events.module.js';
import { McpServersModule } from './mcp-servers/mcp-servers.module.js';
import { ToolCatalogModule } from './tool-catalog/tool-catalog.module.js';
import { ToolRegistryModule } from './tool-registry/tool-registry.module.js';
import { UsageModule } from './usage/usage.module.js';

@Module({ imports: [IntegrationConfigModule, ToolRegistryModule, McpServersModule, ToolCatalogModule, UsageModule, IntegrationEventsModule, ConnectionsModule, AccountCleanupModule] })
export class IntegrationModule {}
