import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['schedules', 'public_links', 'webhook_triggers'];

/** The workflow service's role sees and writes only the acting user's schedules, public links and webhook triggers. */
export class TriggersRowLevelSecurity1767950000200 implements MigrationInterface {
  name = 'TriggersRowLevelSecurity1767950000200';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'workflow', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await disableOwnerRowSecurity(q, 'workflow', table);
  }
}
