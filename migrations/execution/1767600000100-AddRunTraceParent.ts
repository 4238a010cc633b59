import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C traceparent of the span that queued a run, so the worker that later executes it (in any
 * replica) continues the same trace: one run, one trace. Null when tracing was off.
 */
export class AddRunTraceParent1767600000100 implements MigrationInterface {
  name = 'AddRunTraceParent1767600000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" ADD COLUMN "trace_parent" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" DROP COLUMN "trace_parent"`);
  }
}
