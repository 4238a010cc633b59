import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound run webhooks: the address a run's start named, each owner's signing secret (sealed with
 * the platform's keyring), and the deliveries, one row per run ending, retried with backoff until
 * the receiver answers 2xx or the attempts run out.
 */
export class CreateRunWebhooks1766000000501 implements MigrationInterface {
  name = 'CreateRunWebhooks1766000000501';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "execution"."runs" ADD COLUMN "webhook_url" text`);
    await q.query(`
      CREATE TABLE "execution"."webhook_secrets" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "sealed_secret" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_secrets_pkey" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "webhook_secrets_owner_id_uq" ON "execution"."webhook_secrets" ("owner_id")`);
    await q.query(`
      CREATE TABLE "execution"."run_webhook_deliveries" (
        "id" uuid NOT NULL,
        "run_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "url" text NOT NULL,
        "payload" jsonb NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "last_status" integer,
        "last_error" text,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "run_webhook_deliveries_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "run_webhook_deliveries_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "execution"."runs" ("id") ON DELETE CASCADE,
        CONSTRAINT "run_webhook_deliveries_status_ck" CHECK ("status" IN ('pending', 'delivered', 'failed')),
        CONSTRAINT "run_webhook_deliveries_attempts_ck" CHECK ("attempts" >= 0)
      )`);
    await q.query(`CREATE INDEX "run_webhook_deliveries_due_idx" ON "execution"."run_webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`);
    await q.query(`CREATE INDEX "run_webhook_deliveries_run_id_idx" ON "execution"."run_webhook_deliveries" ("run_id")`);
    await q.query(`CREATE INDEX "run_webhook_deliveries_owner_id_idx" ON "execution"."run_webhook_deliveries" ("owner_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "execution"."run_webhook_deliveries"`);
    await q.query(`DROP TABLE "execution"."webhook_secrets"`);
    await q.query(`ALTER TABLE "execution"."runs" DROP COLUMN "webhook_url"`);
  }
}
