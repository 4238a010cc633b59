import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1 } from '#messaging';

export class CreateIdentitySchema1763900000000 implements MigrationInterface {
  name = 'CreateIdentitySchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS "identity"`);
    await q.query(`
      CREATE TABLE "identity"."users" (
        "id" uuid NOT NULL,
        "email" text NOT NULL,
        "password_hash" text,
        "name" text,
        "is_active" boolean NOT NULL DEFAULT true,
        "is_superuser" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "users_pkey" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "users_email_uq" ON "identity"."users" (lower("email"))`);
    await q.query(`
      CREATE TABLE "identity"."refresh_tokens" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "family_id" uuid NOT NULL,
        "token_hash" bytea NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        "replaced_by_id" uuid,
        "user_agent" text,
        "ip" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "refresh_tokens_user_id_idx" ON "identity"."refresh_tokens" ("user_id")`);
    await q.query(`CREATE INDEX "refresh_tokens_family_id_idx" ON "identity"."refresh_tokens" ("family_id")`);
    await createMessagingTablesV1(q, 'identity');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA "identity" CASCADE`);
  }
}
