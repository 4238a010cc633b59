import type { MigrationInterface, QueryRunner } from 'typeorm';

/** OAuth connections (tokens sealed, refreshed single-flight by a lease on the row) and the pending authorizations. */
export class CreateConnections1766000000401 implements MigrationInterface {
  name = 'CreateConnections1766000000401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "integration"."connections" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "agent_id" uuid,
        "provider" text NOT NULL,
        "account_email" text,
        "scopes" text[] NOT NULL DEFAULT '{}',
        "credentials_sealed" text NOT NULL,
        "status" text NOT NULL DEFAULT 'connected',
        "expires_at" timestamptz,
        "refresh_due_at" timestamptz,
        "refresh_lease_until" timestamptz,
        "last_refreshed_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "connections_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "connections_status_ck" CHECK ("status" IN ('connected', 'needs_reauth', 'revoked'))
      )`);
    await q.query(`CREATE INDEX "connections_owner_id_id_idx" ON "integration"."connections" ("owner_id", "id")`);
    await q.query(`CREATE INDEX "connections_refresh_due_at_idx" ON "integration"."connections" ("refresh_due_at") WHERE "status" = 'connected'`);
    await q.query(`
      CREATE TABLE "integration"."oauth_states" (
        "id" uuid NOT NULL,
        "state_hash" text NOT NULL,
        "owner_id" uuid NOT NULL,
        "agent_id" uuid,
        "provider" text NOT NULL,
        "code_verifier_sealed" text NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "oauth_states_state_hash_uq" UNIQUE ("state_hash")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "integration"."oauth_states"`);
    await q.query(`DROP TABLE "integration"."connections"`);
  }
}
