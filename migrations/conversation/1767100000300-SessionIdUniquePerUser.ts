import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A conversation's sessionId is unique per owner, not across every user: a 409 for an id another
 * user holds told the caller that id existed, and two users could not reuse one client-side id.
 */
export class SessionIdUniquePerUser1767100000300 implements MigrationInterface {
  name = 'SessionIdUniquePerUser1767100000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation"."conversations" DROP CONSTRAINT "conversations_session_id_uq"`);
    await q.query(`ALTER TABLE "conversation"."conversations" ADD CONSTRAINT "conversations_owner_id_session_id_uq" UNIQUE ("owner_id", "session_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation"."conversations" DROP CONSTRAINT "conversations_owner_id_session_id_uq"`);
    await q.query(`ALTER TABLE "conversation"."conversations" ADD CONSTRAINT "conversations_session_id_uq" UNIQUE ("session_id")`);
  }
}
