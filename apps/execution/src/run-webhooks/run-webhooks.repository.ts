import { Injectable } from '@nestjs/common';
import { Database, newId } from '#persistence';
import { RunWebhookDeliveryEntity } from './run-webhook-delivery.entity.js';
import { WebhookSecretEntity } from './webhook-secret.entity.js';

@Injectable()
export class RunWebhooksRepository {
  constructor(private readonly database: Database) {}

  findSecret(ownerId: string): Promise<WebhookSecretEntity | null> {
    return this.database.repository(WebhookSecretEntity).findOneBy({ ownerId });
  }

  /** The owner's secret, or this one when they had none (a concurrent first use keeps the one written first). */
  async insertSecret(ownerId: string, sealedSecret: string): Promise<WebhookSecretEntity> {
    await this.database.query(
      `INSERT INTO "execution"."webhook_secrets" ("id", "owner_id", "sealed_secret") VALUES ($1, $2, $3) ON CONFLICT ("owner_id") DO NOTHING`,
      [newId(), ownerId, sealedSecret],
    );
    return (await this.findSecret(ownerId))!;
  }

  /** Replaces the owner's secret (or makes their first); created_at says when. */
  async replaceSecret(ownerId: string, sealedSecret: string): Promise<WebhookSecretEntity> {
    const row = await this.database.row(
      WebhookSecretEntity,
      `INSERT INTO "execution"."webhook_secrets" ("id", "owner_id", "sealed_secret") VALUES ($1, $2, $3)
       ON CONFLICT ("owner_id") DO UPDATE SET "sealed_secret" = EXCLUDED."sealed_secret", "created_at" = now(), "updated_at" = now()
       RETURNING *`,
      [newId(), ownerId, sealedSecret],
    );
    return row!;
  }

  async insertDelivery(delivery: Pick<RunWebhookDeliveryEntity, 'id' | 'runId' | 'ownerId' | 'url' | 'payload'>): Promise<void> {
    await this.database.query(`INSERT INTO "execution"."run_webhook_deliveries" ("id", "run_id", "owner_id", "url", "payload") VALUES ($1, $2, $3, $4, $5)`, [
      delivery.id,
      delivery.runId,
      delivery.ownerId,
      delivery.url,
      JSON.stringify(delivery.payload),
    ]);
  }

  /**
   * In the caller's transaction: due deliveries, locked (SKIP LOCKED, so replicas share them) and
   * pushed back by `leaseMs`, so a replica that dies mid-delivery leaves them to be tried again.
   */
  takeDue(limit: number, leaseMs: number): Promise<RunWebhookDeliveryEntity[]> {
    return this.database.rows(
      RunWebhookDeliveryEntity,
      `UPDATE "execution"."run_webhook_deliveries" SET "next_attempt_at" = now() + ($2 || ' milliseconds')::interval, "attempts" = "attempts" + 1, "updated_at" = now()
       WHERE "id" IN (
         SELECT "id" FROM "execution"."run_webhook_deliveries" WHERE "status" = 'pending' AND "next_attempt_at" <= now()
         ORDER BY "next_attempt_at" LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [limit, String(leaseMs)],
    );
  }

  async delivered(id: string, status: number): Promise<void> {
    await this.database.query(
      `UPDATE "execution"."run_webhook_deliveries" SET "status" = 'delivered', "last_status" = $2, "last_error" = NULL, "delivered_at" = now(), "updated_at" = now() WHERE "id" = $1`,
      [id, status],
    );
  }

  /** A failed attempt: tried again after `retryInMs`, or failed for good (null). */
  async attemptFailed(id: string, lastStatus: number | null, lastError: string, retryInMs: number | null): Promise<void> {
    await this.database.query(
      `UPDATE "execution"."run_webhook_deliveries"
       SET "status" = CASE WHEN $4::bigint IS NULL THEN 'failed' ELSE 'pending' END,
           "next_attempt_at" = CASE WHEN $4::bigint IS NULL THEN "next_attempt_at" ELSE now() + ($4::bigint || ' milliseconds')::interval END,
           "last_status" = $2, "last_error" = $3, "updated_at" = now()
       WHERE "id" = $1`,
      [id, lastStatus, lastError.slice(0, 500), retryInMs],
    );
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.database.query(`DELETE FROM "execution"."run_webhook_deliveries" WHERE "owner_id" = $1`, [ownerId]);
    await this.database.query(`DELETE FROM "execution"."webhook_secrets" WHERE "owner_id" = $1`, [ownerId]);
  }

  /** A batch of deliveries that are over (delivered or given up) of runs that ended before `endedBefore`; how many went. */
  async deleteSettledOfRunsEndedBefore(endedBefore: Date, batch: number): Promise<number> {
    const rows = await this.database.query<{ id: string }>(
      `DELETE FROM "execution"."run_webhook_deliveries" WHERE "id" IN (
         SELECT d."id" FROM "execution"."run_webhook_deliveries" d JOIN "execution"."runs" r ON r."id" = d."run_id"
         WHERE d."status" <> 'pending' AND r."completed_at" < $1 LIMIT $2)
       RETURNING "id"`,
      [endedBefore, batch],
    );
    return rows.length;
  }
}
