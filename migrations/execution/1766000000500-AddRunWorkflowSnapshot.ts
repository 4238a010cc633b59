import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The workflow version a run pinned (its definition), copied into the run when it is queued, as
 * agent runs keep their agent's: a worker needs nothing from the workflow service to run it.
 */
export class AddRunWorkflowSnapshot1766000000500 implements MigrationInterface {
  name = 'AddRunWorkflowSnapshot1766000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" ADD COLUMN "workflow_snapshot" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" DROP COLUMN "workflow_snapshot"`);
  }
}
