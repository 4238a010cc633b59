import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['conversations', 'messages'];

/** The conversation service's role sees and writes only the acting user's conversations and messages. */
export class RowLevelSecurity1767900000300 implements MigrationInterface {
  name = 'RowLevelSecurity1767900000300';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'conversation', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await disableOwnerRowSecurity(q, 'conversation', table);
  }
}
