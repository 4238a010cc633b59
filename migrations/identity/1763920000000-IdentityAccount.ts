import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the identity account features: profile username, settings, provider keys, projects, notifications. */
export class IdentityAccount1763920000000 implements MigrationInterface {
  name = 'IdentityAccount1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "identity"."users" ADD COLUMN "username" text`);
    // Stored lower-cased by the service; the index on lower() also guards rows written by hand.
    await q.query(`CREATE UNIQUE INDEX "users_username_uq" ON "identity"."users" (lower("username"))`);

    await q.query(`
      CREATE TABLE "identity"."user_settings" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "theme" text NOT NULL DEFAULT 'system',
        "default_llm_provider" text,
        "sidebar_collapsed" boolean NOT NULL DEFAULT false,
        "onboarding_completed" boolean NOT NULL DEFAULT false,
        "tours_completed" jsonb NOT NULL DEFAULT '{}',
        "settings" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "user_settings_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "user_settings_user_id_uq" UNIQUE ("user_id"),
        CONSTRAINT "user_settings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users" ("id") ON DELETE CASCADE,
        CONSTRAINT "user_settings_theme_check" CHECK ("theme" IN ('light', 'dark', 'system'))
      )`);

    // One row per (user, provider) rather than a jsonb map in user_settings: the key id sits in a
    // column beside its ciphertext, so rotation finds what to re-wrap with an index.
    await q.query(`
      CREATE TABLE "identity"."provider_keys" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "key_id" text NOT NULL,
        "ciphertext" bytea NOT NULL,
        "last4" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "provider_keys_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "provider_keys_user_id_provider_uq" UNIQUE ("user_id", "provider"),
        CONSTRAINT "provider_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users" ("id") ON DELETE CASCADE,
        CONSTRAINT "provider_keys_last4_check" CHECK (char_length("last4") <= 4)
      )`);
    await q.query(`CREATE INDEX "provider_keys_key_id_idx" ON "identity"."provider_keys" ("key_id")`);

    await q.query(`
      CREATE TABLE "identity"."projects" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "name" text NOT NULL,
        "description" text,
        "icon" text NOT NULL DEFAULT 'folder',
        "color" text NOT NULL DEFAULT '#f97316',
        "is_default" boolean NOT NULL DEFAULT false,
        "is_archived" boolean NOT NULL DEFAULT false,
        "sort_order" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "projects_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "projects_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "identity"."users" ("id") ON DELETE CASCADE,
        CONSTRAINT "projects_default_not_archived_check" CHECK (NOT ("is_default" AND "is_archived"))
      )`);
    // At most one default per user; registration makes it, so every user has exactly one.
    await q.query(`CREATE UNIQUE INDEX "projects_owner_id_default_uq" ON "identity"."projects" ("owner_id") WHERE "is_default"`);
    await q.query(`CREATE INDEX "projects_owner_id_sort_idx" ON "identity"."projects" ("owner_id", "is_archived", "sort_order", "id")`);
    // Users registered before this migration get their default project now.
    await q.query(`
      INSERT INTO "identity"."projects" ("id", "owner_id", "name", "is_default", "sort_order")
      SELECT gen_random_uuid(), "id", 'My project', true, 0 FROM "identity"."users"`);

    await q.query(`
      CREATE TABLE "identity"."notifications" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "title" text NOT NULL,
        "body" text,
        "link" text,
        "source" text NOT NULL,
        "read_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "notifications_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "notifications_user_id_id_idx" ON "identity"."notifications" ("user_id", "id" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "identity"."notifications"`);
    await q.query(`DROP TABLE "identity"."projects"`);
    await q.query(`DROP TABLE "identity"."provider_keys"`);
    await q.query(`DROP TABLE "identity"."user_settings"`);
    await q.query(`DROP INDEX "identity"."users_username_uq"`);
    await q.query(`ALTER TABLE "identity"."users" DROP COLUMN "username"`);
  }
}
