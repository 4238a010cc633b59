import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Public links of published workflow versions, the runs they started, and the counters of their rate limits. */
export class CreatePublicLinks1766000000210 implements MigrationInterface {
  name = 'CreatePublicLinks1766000000210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow"."public_links" (
        "id" uuid NOT NULL,
        "workflow_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "token_hash" text NOT NULL,
        "token_prefix" text NOT NULL,
        "runs_per_minute" integer NOT NULL,
        "expires_at" timestamptz,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "public_links_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "public_links_token_hash_uq" UNIQUE ("token_hash"),
        CONSTRAINT "public_links_runs_per_minute_ck" CHECK ("runs_per_minute" >= 1),
        CONSTRAINT "public_links_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflow"."workflows" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "public_links_workflow_id_idx" ON "workflow"."public_links" ("workflow_id")`);
    await q.query(`
      CREATE TABLE "workflow"."public_link_runs" (
        "id" uuid NOT NULL,
        "link_id" uuid NOT NULL,
        "run_id" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "public_link_runs_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "public_link_runs_link_id_run_id_uq" UNIQUE ("link_id", "run_id"),
        CONSTRAINT "public_link_runs_link_id_fkey" FOREIGN KEY ("link_id") REFERENCES "workflow"."public_links" ("id") ON DELETE CASCADE
      )`);
    // rate-limiter-flexible's RateLimiterPostgres layout; a crash resetting the counters is acceptable.
    await q.query(`
      CREATE UNLOGGED TABLE "workflow"."rate_limits" (
        "key" varchar(255) NOT NULL,
        "points" integer NOT NULL DEFAULT 0,
        "expire" bigint,
        CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "workflow"."rate_limits"`);
    await q.query(`DROP TABLE "workflow"."public_link_runs"`);
    await q.query(`DROP TABLE "workflow"."public_links"`);
  }
}
