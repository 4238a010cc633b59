import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs (which are also the work queue), their step journal and their stored event stream.
 * Status values are text with check constraints so a new state is one migration, not an enum dance.
 */
export class CreateRuns1764200000500 implements MigrationInterface {
  name = 'CreateRuns1764200000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "execution"."runs" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "agent_id" uuid,
        "agent_version" integer,
        "workflow_id" uuid,
        "workflow_version" integer,
        "conversation_id" uuid,
        "session_id" uuid,
        "status" text NOT NULL DEFAULT 'pending',
        "input" jsonb NOT NULL DEFAULT '{}',
        "output" jsonb,
        "output_partial" boolean NOT NULL DEFAULT false,
        "required_action" jsonb,
        "error" jsonb,
        "last_error" jsonb,
        "trace_id" text,
        "prompt_tokens" bigint NOT NULL DEFAULT 0,
        "completion_tokens" bigint NOT NULL DEFAULT 0,
        "cost_micros" bigint NOT NULL DEFAULT 0,
        "limits" jsonb NOT NULL DEFAULT '{}',
        "timeout_ms" integer NOT NULL,
        "deadline_at" timestamptz,
        "idempotency_key" text,
        "lease_owner" text,
        "lease_expires_at" timestamptz,
        "attempt" integer NOT NULL DEFAULT 0,
        "failure_count" integer NOT NULL DEFAULT 0,
        "available_at" timestamptz NOT NULL DEFAULT now(),
        "cancel_requested_at" timestamptz,
        "started_at" timestamptz,
        "completed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "runs_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "runs_status_ck" CHECK ("status" IN ('pending', 'running', 'requires_action', 'completed', 'failed', 'cancelled', 'expired')),
        CONSTRAINT "runs_kind_ck" CHECK ("kind" IN ('agent', 'workflow')),
        CONSTRAINT "runs_target_ck" CHECK (
          ("kind" = 'agent' AND "agent_id" IS NOT NULL AND "agent_version" IS NOT NULL AND "workflow_id" IS NULL AND "workflow_version" IS NULL)
          OR ("kind" = 'workflow' AND "workflow_id" IS NOT NULL AND "workflow_version" IS NOT NULL AND "agent_id" IS NULL AND "agent_version" IS NULL)),
        -- A running run always has a holder; nothing else has one, so a stale lease cannot linger.
        CONSTRAINT "runs_lease_ck" CHECK (("status" = 'running') = ("lease_owner" IS NOT NULL AND "lease_expires_at" IS NOT NULL)),
        CONSTRAINT "runs_counters_ck" CHECK ("attempt" >= 0 AND "failure_count" >= 0 AND "timeout_ms" > 0
          AND "prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0),
        CONSTRAINT "runs_idempotency_key_ck" CHECK (char_length("idempotency_key") BETWEEN 1 AND 255)
      )`);
    await q.query(`CREATE UNIQUE INDEX "runs_owner_id_idempotency_key_uq" ON "execution"."runs" ("owner_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`);
    // The claim query reads two small partial indexes: runs waiting their turn, and leases to take over.
    await q.query(`CREATE INDEX "runs_claim_pending_idx" ON "execution"."runs" ("available_at") WHERE "status" = 'pending'`);
    await q.query(`CREATE INDEX "runs_claim_lease_idx" ON "execution"."runs" ("lease_expires_at") WHERE "status" = 'running'`);
    await q.query(`CREATE INDEX "runs_owner_created_idx" ON "execution"."runs" ("owner_id", "created_at" DESC, "id" DESC)`);
    await q.query(`CREATE INDEX "runs_conversation_id_idx" ON "execution"."runs" ("conversation_id", "created_at" DESC) WHERE "conversation_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "runs_agent_id_idx" ON "execution"."runs" ("agent_id") WHERE "agent_id" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "execution"."run_steps" (
        "id" uuid NOT NULL,
        "run_id" uuid NOT NULL,
        "seq" integer NOT NULL,
        "step_key" text NOT NULL,
        "step_name" text NOT NULL,
        "step_type" text NOT NULL,
        "status" text NOT NULL DEFAULT 'running',
        "input" jsonb,
        "output" jsonb,
        "error" jsonb,
        "prompt_tokens" integer NOT NULL DEFAULT 0,
        "completion_tokens" integer NOT NULL DEFAULT 0,
        "cost_micros" bigint NOT NULL DEFAULT 0,
        "attempt" integer NOT NULL,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "completed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "run_steps_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "run_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "execution"."runs" ("id") ON DELETE CASCADE,
        CONSTRAINT "run_steps_run_id_seq_uq" UNIQUE ("run_id", "seq"),
        CONSTRAINT "run_steps_type_ck" CHECK ("step_type" IN ('llm_call', 'tool', 'decision', 'retrieval', 'human_input')),
        CONSTRAINT "run_steps_status_ck" CHECK ("status" IN ('running', 'completed', 'failed', 'abandoned')),
        CONSTRAINT "run_steps_tokens_ck" CHECK ("prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0)
      )`);
    // A step the executor names once is done once: a resumed attempt finds it instead of repeating it.
    await q.query(`CREATE UNIQUE INDEX "run_steps_run_id_step_key_uq" ON "execution"."run_steps" ("run_id", "step_key") WHERE "status" = 'completed'`);

    await q.query(`
      CREATE TABLE "execution"."run_events" (
        "run_id" uuid NOT NULL,
        "seq" integer NOT NULL,
        "type" text NOT NULL,
        "data" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "run_events_pkey" PRIMARY KEY ("run_id", "seq"),
        CONSTRAINT "run_events_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "execution"."runs" ("id") ON DELETE CASCADE,
        CONSTRAINT "run_events_seq_ck" CHECK ("seq" > 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "execution"."run_events"`);
    await q.query(`DROP TABLE "execution"."run_steps"`);
    await q.query(`DROP TABLE "execution"."runs"`);
  }
}
