import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['agents', 'knowledge_bases'];

/** The agent service's role sees and writes only the acting user's agents and knowledge bases. */
export class RowLevelSecurity1767900000100 implements MigrationInterface {
  name = 'RowLevelSecurity1767900000100';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'agent', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await disableOwnerRowSecurity(q, 'agent', table);
  }
}
