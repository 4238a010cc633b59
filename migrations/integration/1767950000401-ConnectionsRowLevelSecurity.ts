import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['connections', 'oauth_states', 'mcp_server_credentials'];

/** The integration service's role sees and writes only the acting user's OAuth connections, pending OAuth states and MCP server credentials. */
export class ConnectionsRowLevelSecurity1767950000401 implements MigrationInterface {
  name = 'ConnectionsRowLevelSecurity1767950000401';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'integration', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await disableOwnerRowSecurity(q, 'integration', table);
  }
}
