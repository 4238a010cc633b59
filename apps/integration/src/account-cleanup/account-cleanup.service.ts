import { Injectable } from '@nestjs/common';
import { ActingUser, Database } from '#persistence';
import { ConnectionsService } from '../connections/connections.service.js';
import { IntegrationEventsService } from '../integration-events/integration-events.service.js';
import { McpServersService } from '../mcp-servers/mcp-servers.service.js';
import { ToolRegistryService } from '../tool-registry/tool-registry.service.js';
import { UsageService } from '../usage/usage.service.js';

/** A deleted account: its tools, MCP servers (and credentials), connections, usage rows and events go, in the inbox's transaction. */
@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly tools: ToolRegistryService,
    private readonly servers: McpServersService,
    private readonly usage: UsageService,
    private readonly events: IntegrationEventsService,
    private readonly connections: ConnectionsService,
    private readonly database: Database,
  ) {}

  async deleteUser(ownerId: string): Promise<void> {
    // Acts as the deleted user: what it removes is that user's rows and no one else's.
    await ActingUser.run(ownerId, () => this.database.transaction(async () => {
      await this.tools.deleteAllOf(ownerId);
      await this.servers.deleteAllOf(ownerId);
      await this.usage.deleteAllOf(ownerId);
      await this.events.deleteAllOf(ownerId);
      await this.connections.deleteAllOf(ownerId);
    }));
  }
}
