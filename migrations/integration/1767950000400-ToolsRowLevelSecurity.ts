import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['tools', 'tool_usage', 'integration_events'];

/** The integration service's role sees and writes only the acting user's HTTP tools, tool usage and integration events. */
export class ToolsRowLevelSecurity1767950000400 implements MigrationInterface {
  name = 'ToolsRowLevelSecurity1767950000400';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'integration', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await disableOwnerRowSecurity(q, 'integration', table);
  }
}
