import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inbound webhook triggers (secrets sealed with ENCRYPTION_KEYS) and the delivery ids they received (replay protection). */
export class CreateWebhookTriggers1766000000230 implements MigrationInterface {
  name = 'CreateWebhookTriggers1766000000230';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow"."webhook_triggers" (
        "id" uuid NOT NULL,
        "workflow_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "name" text,
        "secret_key_id" text NOT NULL,
        "secret_ciphertext" bytea NOT NULL,
        "last_delivery_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_triggers_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "webhook_triggers_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflow"."workflows" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "webhook_triggers_workflow_id_idx" ON "workflow"."webhook_triggers" ("workflow_id")`);
    await q.query(`
      CREATE TABLE "workflow"."webhook_deliveries" (
        "id" uuid NOT NULL,
        "trigger_id" uuid NOT NULL,
        "delivery_id" text NOT NULL,
        "run_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "webhook_deliveries_trigger_id_delivery_id_uq" UNIQUE ("trigger_id", "delivery_id"),
        CONSTRAINT "webhook_deliveries_trigger_id_fkey" FOREIGN KEY ("trigger_id") REFERENCES "workflow"."webhook_triggers" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "webhook_deliveries_created_at_idx" ON "workflow"."webhook_deliveries" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "workflow"."webhook_deliveries"`);
    await q.query(`DROP TABLE "workflow"."webhook_triggers"`);
  }
}
