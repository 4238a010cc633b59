import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1 } from '#messaging';

export class CreateConversationSchema1763900000300 implements MigrationInterface {
  name = 'CreateConversationSchema1763900000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS "conversation"`);
    await createMessagingTablesV1(q, 'conversation');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA "conversation" CASCADE`);
  }
}
