import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

const TABLES = ['documents', 'chunks'];

/** The agent service's role sees and writes only the acting user's documents and their chunks. */
export class DocumentsRowLevelSecurity1767950000100 implements MigrationInterface {
  name = 'DocumentsRowLevelSecurity1767950000100';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await enableOwnerRowSecurity(q, 'agent', table);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await disableOwnerRowSecurity(q, 'agent', table);
  }
}
