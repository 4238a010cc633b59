import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Workflows and their immutable versions. */
export class CreateWorkflows1766000000200 implements MigrationInterface {
  name = 'CreateWorkflows1766000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow"."workflows" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "project_id" uuid,
        "name" text NOT NULL,
        "description" text,
        "is_active" boolean NOT NULL DEFAULT true,
        "current_version" integer NOT NULL DEFAULT 1,
        "published_version" integer,
        "agent_ids" uuid[] NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "workflows_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "workflows_current_version_ck" CHECK ("current_version" >= 1),
        CONSTRAINT "workflows_published_version_ck" CHECK ("published_version" IS NULL OR "published_version" BETWEEN 1 AND "current_version")
      )`);
    // Lists page by id (time-ordered) within one owner.
    await q.query(`CREATE INDEX "workflows_owner_id_id_idx" ON "workflow"."workflows" ("owner_id", "id" DESC)`);
    await q.query(`CREATE INDEX "workflows_project_id_idx" ON "workflow"."workflows" ("project_id") WHERE "project_id" IS NOT NULL`);
    await q.query(`
      CREATE TABLE "workflow"."workflow_versions" (
        "id" uuid NOT NULL,
        "workflow_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "definition" jsonb NOT NULL,
        "created_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "workflow_versions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "workflow_versions_workflow_id_version_uq" UNIQUE ("workflow_id", "version"),
        CONSTRAINT "workflow_versions_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflow"."workflows" ("id") ON DELETE CASCADE
      )`);
    // Versions are immutable: runs pin them, so an UPDATE is a bug, refused by the database itself.
    await q.query(`
      CREATE FUNCTION "workflow"."workflow_versions_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'workflow versions are immutable';
      END $$`);
    await q.query(`
      CREATE TRIGGER "workflow_versions_no_update" BEFORE UPDATE ON "workflow"."workflow_versions"
      FOR EACH ROW EXECUTE FUNCTION "workflow"."workflow_versions_immutable"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "workflow"."workflow_versions"`);
    await q.query(`DROP FUNCTION "workflow"."workflow_versions_immutable"()`);
    await q.query(`DROP TABLE "workflow"."workflows"`);
  }
}
