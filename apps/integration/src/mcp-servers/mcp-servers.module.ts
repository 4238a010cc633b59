import { Module } from '@nestjs/common';
import { ProjectOwnership } from '#service-kit';
import { ConnectionsModule } from '../connections/connections.module.js';
import { IntegrationEventsModule } from '../integration-events/integration-events.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { McpClientPool } from './mcp-client-pool.js';
import { McpServersHandler } from './mcp-servers.handler.js';
import { McpServersRepository } from './mcp-servers.repository.js';
import { McpServersService } from './mcp-servers.service.js';

/** /mcp-servers: the registry, health checks, tool discovery and the live sessions (one per server and user). */
@Module({
  imports: [SecretsModule, IntegrationEventsModule, ConnectionsModule],
  controllers: [McpServersHandler],
  providers: [McpServersService, McpServersRepository, McpClientPool, ProjectOwnership],
  exports: [McpServersService],
})
export class McpServersModule {}
