import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One owner's starts decide one after another: the function takes the transaction-scoped lock the
 * start names, and only then counts the owner's runs pending or running. A function's statements
 * each take a fresh snapshot (READ COMMITTED), so the count sees every run committed by the start
 * that held the lock before; the start's insert calls it, and a start is one statement.
 */
export class RunStartTurn1768300000500 implements MigrationInterface {
  name = 'RunStartTurn1768300000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION "execution"."active_runs_after_lock"("lock_name" text, "owner" uuid) RETURNS bigint
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended("lock_name", 0));
        RETURN (SELECT count(*) FROM "execution"."runs" WHERE "owner_id" = "owner" AND "status" IN ('pending', 'running'));
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION "execution"."active_runs_after_lock"(text, uuid)`);
  }
}
