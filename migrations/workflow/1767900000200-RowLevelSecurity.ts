import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['workflows'];

/** The workflow service's role sees and writes only the acting user's workflows. */
export class RowLevelSecurity1767900000200 implements MigrationInterface {
  name = 'RowLevelSecurity1767900000200';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'workflow', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await disableOwnerRowSecurity(q, 'workflow', table);
  }
}
