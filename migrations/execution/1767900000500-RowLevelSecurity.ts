import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['runs'];

/** The execution service's role sees and writes only the acting user's runs (the worker's claims are a named system path). */
export class RowLevelSecurity1767900000500 implements MigrationInterface {
  name = 'RowLevelSecurity1767900000500';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'execution', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await disableOwnerRowSecurity(q, 'execution', table);
  }
}
