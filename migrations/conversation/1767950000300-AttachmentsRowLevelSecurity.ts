import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

/** The conversation service's role sees and writes only the acting user's attachments. */
export class AttachmentsRowLevelSecurity1767950000300 implements MigrationInterface {
  name = 'AttachmentsRowLevelSecurity1767950000300';

  async up(q: QueryRunner): Promise<void> {
    await enableOwnerRowSecurity(q, 'conversation', 'attachments');
  }

  async down(q: QueryRunner): Promise<void> {
    await disableOwnerRowSecurity(q, 'conversation', 'attachments');
  }
}
