import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The agent version a run pinned, copied into the run when it is queued: a worker then needs
 * nothing from the agent service to run it, and the run stays what it was asked to be.
 */
export class AddRunAgentSnapshot1764500000500 implements MigrationInterface {
  name = 'AddRunAgentSnapshot1764500000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" ADD COLUMN "agent_snapshot" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" DROP COLUMN "agent_snapshot"`);
  }
}
