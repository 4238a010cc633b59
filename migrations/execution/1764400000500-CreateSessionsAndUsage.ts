import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (one per agent and conversation, updated by its runs), daily usage totals, and what
 * agent runs need on the queue: whether the caller waits (background runs notify), the worker
 * holding a key sent with the request (only that worker can use it), and the model per step.
 */
export class CreateSessionsAndUsage1764400000500 implements MigrationInterface {
  name = 'CreateSessionsAndUsage1764400000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" ADD COLUMN "background" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "execution"."runs" ADD COLUMN "key_holder" text`);
    await q.query(`ALTER TABLE "execution"."run_steps" ADD COLUMN "model" text`);
    // Active runs per owner (the concurrency cap) and per conversation (one writer per branch).
    await q.query(`CREATE INDEX "runs_owner_active_idx" ON "execution"."runs" ("owner_id") WHERE "status" IN ('pending', 'running')`);
    await q.query(
      `CREATE INDEX "runs_conversation_active_idx" ON "execution"."runs" ("conversation_id", "created_at")
       WHERE "conversation_id" IS NOT NULL AND "status" IN ('pending', 'running', 'requires_action')`,
    );

    await q.query(`
      CREATE TABLE "execution"."sessions" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "agent_id" uuid NOT NULL,
        "conversation_id" uuid,
        "status" text NOT NULL DEFAULT 'running',
        "context" jsonb NOT NULL DEFAULT '{}',
        "variables" jsonb NOT NULL DEFAULT '{}',
        "template_id" uuid,
        "template_version" integer,
        "messages_count" integer NOT NULL DEFAULT 0,
        "run_count" integer NOT NULL DEFAULT 0,
        "tools_used" jsonb NOT NULL DEFAULT '{}',
        "error_logs" jsonb NOT NULL DEFAULT '[]',
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "last_active_at" timestamptz NOT NULL DEFAULT now(),
        "completed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "sessions_status_ck" CHECK ("status" IN ('running', 'paused', 'completed', 'failed')),
        CONSTRAINT "sessions_counts_ck" CHECK ("messages_count" >= 0 AND "run_count" >= 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX "sessions_agent_id_conversation_id_uq" ON "execution"."sessions" ("agent_id", "conversation_id") WHERE "conversation_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "sessions_owner_id_idx" ON "execution"."sessions" ("owner_id")`);

    await q.query(`
      CREATE TABLE "execution"."usage_daily" (
        "owner_id" uuid NOT NULL,
        "day" date NOT NULL,
        "agent_id" uuid NOT NULL,
        "model" text NOT NULL,
        "request_count" integer NOT NULL DEFAULT 0,
        "run_count" integer NOT NULL DEFAULT 0,
        "prompt_tokens" bigint NOT NULL DEFAULT 0,
        "completion_tokens" bigint NOT NULL DEFAULT 0,
        "cost_micros" bigint NOT NULL DEFAULT 0,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("owner_id", "day", "agent_id", "model"),
        CONSTRAINT "usage_daily_counts_ck" CHECK ("request_count" >= 0 AND "run_count" >= 0 AND "prompt_tokens" >= 0
          AND "completion_tokens" >= 0 AND "cost_micros" >= 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "execution"."usage_daily"`);
    await q.query(`DROP TABLE "execution"."sessions"`);
    await q.query(`DROP INDEX "execution"."runs_conversation_active_idx"`);
    await q.query(`DROP INDEX "execution"."runs_owner_active_idx"`);
    await q.query(`ALTER TABLE "execution"."run_steps" DROP COLUMN "model"`);
    await q.query(`ALTER TABLE "execution"."runs" DROP COLUMN "key_holder"`);
    await q.query(`ALTER TABLE "execution"."runs" DROP COLUMN "background"`);
  }
}
