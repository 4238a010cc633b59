import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1 } from '#messaging';

export class CreateIntegrationSchema1763900000400 implements MigrationInterface {
  name = 'CreateIntegrationSchema1763900000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS "integration"`);
    await createMessagingTablesV1(q, 'integration');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA "integration" CASCADE`);
  }
}
