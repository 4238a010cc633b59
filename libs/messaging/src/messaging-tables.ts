import type { QueryRunner } from 'typeorm';

/**
 * The outbox and inbox of one service schema, version 1. A service's first migration calls this;
 * a later change to these tables gets its own migration, never an edit here.
 */
export async function createMessagingTablesV1(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`
    CREATE TABLE "${schema}"."outbox" (
      "id" uuid NOT NULL,
      "subject" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "last_error" text,
      "published_at" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
    )`);
  await runner.query(`CREATE INDEX "outbox_unpublished_idx" ON "${schema}"."outbox" ("id") WHERE "published_at" IS NULL`);
  await runner.query(`
    CREATE TABLE "${schema}"."inbox" (
      "event_id" uuid NOT NULL,
      "subject" text NOT NULL,
      "outcome" text NOT NULL DEFAULT 'handled',
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "inbox_pkey" PRIMARY KEY ("event_id"),
      CONSTRAINT "inbox_outcome_chk" CHECK ("outcome" IN ('handled', 'rejected'))
    )`);
}
