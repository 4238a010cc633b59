import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1 } from '#messaging';

export class CreateAgentSchema1763900000100 implements MigrationInterface {
  name = 'CreateAgentSchema1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS "agent"`);
    await createMessagingTablesV1(q, 'agent');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA "agent" CASCADE`);
  }
}
