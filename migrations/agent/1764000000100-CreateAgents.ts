import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BUILT_IN_AGENT_TEMPLATES } from './built-in-agent-templates.js';

/** Agents, their immutable versions, and templates (built-in agent templates are seeded here). */
export class CreateAgents1764000000100 implements MigrationInterface {
  name = 'CreateAgents1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "agent"."agents" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "project_id" uuid,
        "name" text NOT NULL,
        "description" text,
        "icon" text NOT NULL DEFAULT 'bot',
        "color" text NOT NULL DEFAULT '#7C3AED',
        "avatar_url" text,
        "agent_type" text NOT NULL DEFAULT 'assistive',
        "status" text NOT NULL DEFAULT 'created',
        "model_provider" text NOT NULL,
        "model_name" text NOT NULL,
        "system_prompt" text NOT NULL DEFAULT '',
        "qa_who" text,
        "qa_rules" text,
        "qa_tricks" text,
        "tools" jsonb NOT NULL DEFAULT '[]',
        "knowledge_base_ids" uuid[] NOT NULL DEFAULT '{}',
        "memory" jsonb NOT NULL DEFAULT '{"strategy":"window","size":20}',
        "configuration" jsonb NOT NULL DEFAULT '{}',
        "template_name" text,
        "is_published" boolean NOT NULL DEFAULT false,
        "published_version" integer,
        "is_active" boolean NOT NULL DEFAULT true,
        "current_version" integer NOT NULL DEFAULT 1,
        "deleted_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "agents_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "agents_agent_type_ck" CHECK ("agent_type" IN ('assistive', 'automation')),
        CONSTRAINT "agents_status_ck" CHECK ("status" IN ('created', 'running', 'stopped', 'error')),
        CONSTRAINT "agents_current_version_ck" CHECK ("current_version" >= 1),
        CONSTRAINT "agents_published_version_ck" CHECK ("published_version" IS NULL OR "published_version" BETWEEN 1 AND "current_version")
      )`);
    // Lists page by id (time-ordered) within one owner.
    await q.query(`CREATE INDEX "agents_owner_id_id_idx" ON "agent"."agents" ("owner_id", "id" DESC)`);
    await q.query(`CREATE INDEX "agents_project_id_idx" ON "agent"."agents" ("project_id") WHERE "project_id" IS NOT NULL`);
    await q.query(`
      CREATE TABLE "agent"."agent_versions" (
        "id" uuid NOT NULL,
        "agent_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "snapshot" jsonb NOT NULL,
        "created_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "agent_versions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "agent_versions_agent_id_version_uq" UNIQUE ("agent_id", "version"),
        CONSTRAINT "agent_versions_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"."agents" ("id") ON DELETE CASCADE
      )`);
    // Versions are immutable: runs pin them, so an UPDATE is a bug, refused by the database itself.
    await q.query(`
      CREATE FUNCTION "agent"."agent_versions_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'agent versions are immutable';
      END $$`);
    await q.query(`
      CREATE TRIGGER "agent_versions_no_update" BEFORE UPDATE ON "agent"."agent_versions"
      FOR EACH ROW EXECUTE FUNCTION "agent"."agent_versions_immutable"()`);
    await q.query(`
      CREATE TABLE "agent"."templates" (
        "id" uuid NOT NULL,
        "family_id" uuid NOT NULL,
        "owner_id" uuid,
        "kind" text NOT NULL,
        "name" text NOT NULL,
        "version" integer NOT NULL,
        "body" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "templates_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "templates_kind_ck" CHECK ("kind" IN ('agent', 'prompt')),
        CONSTRAINT "templates_family_id_version_uq" UNIQUE ("family_id", "version")
      )`);
    await q.query(`CREATE UNIQUE INDEX "templates_owner_kind_name_version_uq" ON "agent"."templates" ("owner_id", "kind", "name", "version") WHERE "owner_id" IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "templates_built_in_kind_name_version_uq" ON "agent"."templates" ("kind", "name", "version") WHERE "owner_id" IS NULL`);
    for (const template of BUILT_IN_AGENT_TEMPLATES) {
      await q.query(`INSERT INTO "agent"."templates" ("id", "family_id", "owner_id", "kind", "name", "version", "body") VALUES ($1, $1, NULL, 'agent', $2, 1, $3)`, [
        template.id,
        template.name,
        JSON.stringify(template.body),
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent"."templates"`);
    await q.query(`DROP TABLE "agent"."agent_versions"`);
    await q.query(`DROP FUNCTION "agent"."agent_versions_immutable"()`);
    await q.query(`DROP TABLE "agent"."agents"`);
  }
}
