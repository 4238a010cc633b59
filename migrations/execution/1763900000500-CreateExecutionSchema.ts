import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1 } from '#messaging';

export class CreateExecutionSchema1763900000500 implements MigrationInterface {
  name = 'CreateExecutionSchema1763900000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS "execution"`);
    await createMessagingTablesV1(q, 'execution');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA "execution" CASCADE`);
  }
}
