import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Schedules of workflows and automation agents, and one row per tick fired (what makes a tick fire once across replicas). */
export class CreateSchedules1766000000220 implements MigrationInterface {
  name = 'CreateSchedules1766000000220';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow"."schedules" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "workflow_id" uuid,
        "agent_id" uuid,
        "cron" text NOT NULL,
        "time_zone" text NOT NULL DEFAULT 'UTC',
        "missed_policy" text NOT NULL DEFAULT 'skip',
        "inputs" jsonb,
        "input" text,
        "paused" boolean NOT NULL DEFAULT false,
        "start_at" timestamptz,
        "end_at" timestamptz,
        "next_fire_at" timestamptz,
        "last_fired_at" timestamptz,
        "last_run_id" uuid,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "schedules_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "schedules_target_ck" CHECK (("workflow_id" IS NULL) <> ("agent_id" IS NULL)),
        CONSTRAINT "schedules_missed_policy_ck" CHECK ("missed_policy" IN ('skip', 'catch_up')),
        CONSTRAINT "schedules_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflow"."workflows" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "schedules_owner_id_id_idx" ON "workflow"."schedules" ("owner_id", "id" DESC)`);
    // What the ticker claims: due, unpaused schedules.
    await q.query(`CREATE INDEX "schedules_next_fire_at_idx" ON "workflow"."schedules" ("next_fire_at") WHERE "paused" = false AND "next_fire_at" IS NOT NULL`);
    await q.query(`CREATE INDEX "schedules_workflow_id_idx" ON "workflow"."schedules" ("workflow_id") WHERE "workflow_id" IS NOT NULL`);
    await q.query(`
      CREATE TABLE "workflow"."schedule_fires" (
        "id" uuid NOT NULL,
        "schedule_id" uuid NOT NULL,
        "fire_at" timestamptz NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "run_id" uuid,
        "error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "schedule_fires_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "schedule_fires_schedule_id_fire_at_uq" UNIQUE ("schedule_id", "fire_at"),
        CONSTRAINT "schedule_fires_status_ck" CHECK ("status" IN ('pending', 'started', 'failed')),
        CONSTRAINT "schedule_fires_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "workflow"."schedules" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "schedule_fires_pending_idx" ON "workflow"."schedule_fires" ("fire_at") WHERE "status" = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "workflow"."schedule_fires"`);
    await q.query(`DROP TABLE "workflow"."schedules"`);
  }
}
