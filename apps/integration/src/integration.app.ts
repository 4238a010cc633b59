import type { BusServiceDefinition } from '#service-kit';
import { integrationMigrations } from '../../../migrations/integration/index.js';
import { ConnectionEntity } from './connections/connection.entity.js';
import { OAuthStateEntity } from './connections/oauth-state.entity.js';
import { IntegrationModule } from './integration.module.js';
import { IntegrationEventEntity } from './integration-events/integration-event.entity.js';
import { McpServerCredentialEntity } from './mcp-servers/mcp-server-credential.entity.js';
import { McpServerStatusEntity } from './mcp-servers/mcp-server-status.entity.js';
import { McpServerEntity } from './mcp-servers/mcp-server.entity.js';
import { HttpToolEntity } from './tool-registry/http-tool.entity.js';
import { ToolUsageEntity } from './usage/tool-usage.entity.js';

export const integrationApp: BusServiceDefinition = {
  name: 'integration',
  module: IntegrationModule,
  entities: [HttpToolEntity, McpServerEntity, McpServerCredentialEntity, McpServerStatusEntity, ToolUsageEntity, IntegrationEventEntity, ConnectionEntity, OAuthStateEntity],
  migrations: integrationMigrations,
};
