import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the identity access features: API keys, audit log, system settings, OIDC, rate limits. */
export class IdentityAccess1763910000000 implements MigrationInterface {
  name = 'IdentityAccess1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "identity"."users" ADD COLUMN "external_provider" text, ADD COLUMN "external_id" text`);
    await q.query(`
      ALTER TABLE "identity"."users" ADD CONSTRAINT "users_external_pair_ck"
        CHECK (("external_provider" IS NULL) = ("external_id" IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX "users_external_uq" ON "identity"."users" ("external_provider", "external_id") WHERE "external_provider" IS NOT NULL`);
    // The admin list pages through users by id and searches by email prefix.
    await q.query(`CREATE INDEX "users_superuser_idx" ON "identity"."users" ("id") WHERE "is_superuser"`);

    await q.query(`
      CREATE TABLE "identity"."api_keys" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "name" text NOT NULL,
        "prefix" text NOT NULL,
        "key_hash" bytea NOT NULL,
        "scopes" text[] NOT NULL,
        "expires_at" timestamptz,
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users" ("id") ON DELETE CASCADE,
        CONSTRAINT "api_keys_scopes_ck" CHECK ("scopes" <@ ARRAY['read', 'full']::text[] AND cardinality("scopes") > 0),
        CONSTRAINT "api_keys_name_ck" CHECK (char_length("name") BETWEEN 1 AND 100)
      )`);
    await q.query(`CREATE UNIQUE INDEX "api_keys_key_hash_uq" ON "identity"."api_keys" ("key_hash")`);
    await q.query(`CREATE INDEX "api_keys_user_id_idx" ON "identity"."api_keys" ("user_id")`);

    await q.query(`
      CREATE TABLE "identity"."audit_log" (
        "id" uuid NOT NULL,
        "actor_id" uuid,
        "action" text NOT NULL,
        "target_type" text,
        "target_id" text,
        "ip" text,
        "user_agent" text,
        "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
      )`);
    // Ids are time-ordered (uuid v7), so the id alone is the newest-first cursor.
    await q.query(`CREATE INDEX "audit_log_action_id_idx" ON "identity"."audit_log" ("action", "id")`);
    await q.query(`CREATE INDEX "audit_log_actor_id_id_idx" ON "identity"."audit_log" ("actor_id", "id")`);
    await q.query(`CREATE INDEX "audit_log_target_id_id_idx" ON "identity"."audit_log" ("target_id", "id")`);
    // Append-only, enforced below the application: no code path, bug or injected query can rewrite history.
    await q.query(`
      CREATE FUNCTION "identity"."audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER "audit_log_append_only_trg" BEFORE UPDATE OR DELETE OR TRUNCATE ON "identity"."audit_log"
        FOR EACH STATEMENT EXECUTE FUNCTION "identity"."audit_log_append_only"()`);

    await q.query(`
      CREATE TABLE "identity"."system_settings" (
        "id" uuid NOT NULL,
        "key" text NOT NULL,
        "value" jsonb NOT NULL,
        "updated_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "system_settings_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "system_settings_key_uq" UNIQUE ("key")
      )`);

    await q.query(`
      CREATE TABLE "identity"."oidc_states" (
        "id" uuid NOT NULL,
        "state_hash" bytea NOT NULL,
        "nonce" text NOT NULL,
        "code_verifier" text NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "oidc_states_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "oidc_states_state_hash_uq" UNIQUE ("state_hash")
      )`);
    await q.query(`CREATE INDEX "oidc_states_expires_at_idx" ON "identity"."oidc_states" ("expires_at")`);

    // rate-limiter-flexible's RateLimiterPostgres layout (created here, so the app role needs no DDL).
    // UNLOGGED: the per-user budget writes on every request, and a transaction that touches only
    // unlogged tables commits without waiting for a WAL flush. A crash resets the counters, which
    // costs at most one window of budget.
    await q.query(`
      CREATE UNLOGGED TABLE "identity"."rate_limits" (
        "key" varchar(255) NOT NULL,
        "points" integer NOT NULL DEFAULT 0,
        "expire" bigint,
        CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "identity"."rate_limits"`);
    await q.query(`DROP TABLE "identity"."oidc_states"`);
    await q.query(`DROP TABLE "identity"."system_settings"`);
    await q.query(`DROP TABLE "identity"."audit_log"`);
    await q.query(`DROP FUNCTION "identity"."audit_log_append_only"()`);
    await q.query(`DROP TABLE "identity"."api_keys"`);
    await q.query(`DROP INDEX "identity"."users_superuser_idx"`);
    await q.query(`DROP INDEX "identity"."users_external_uq"`);
    await q.query(`ALTER TABLE "identity"."users" DROP CONSTRAINT "users_external_pair_ck", DROP COLUMN "external_provider", DROP COLUMN "external_id"`);
  }
}
