import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1 } from '#messaging';

export class CreateWorkflowSchema1763900000200 implements MigrationInterface {
  name = 'CreateWorkflowSchema1763900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS "workflow"`);
    await createMessagingTablesV1(q, 'workflow');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA "workflow" CASCADE`);
  }
}
