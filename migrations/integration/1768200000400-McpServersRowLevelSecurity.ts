import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, disableParentRowSecurity, enableOwnerRowSecurity, enableParentRowSecurity } from '#persistence';

/**
 * The integration service's role sees the acting user's MCP servers and the shared ones (an
 * admin's, which every user may read and use but only their owner change), and writes only the
 * user's own; a server's status history follows its server.
 */
export class McpServersRowLevelSecurity1768200000400 implements MigrationInterface {
  name = 'McpServersRowLevelSecurity1768200000400';

  async up(q: QueryRunner): Promise<void> {
    await enableOwnerRowSecurity(q, 'integration', 'mcp_servers', 'owner_id', { readableByAll: '"is_shared"' });
    await enableParentRowSecurity(q, 'integration', 'mcp_server_statuses', 'server_id', 'mcp_servers');
  }

  async down(q: QueryRunner): Promise<void> {
    await disableParentRowSecurity(q, 'integration', 'mcp_server_statuses');
    await disableOwnerRowSecurity(q, 'integration', 'mcp_servers');
  }
}
