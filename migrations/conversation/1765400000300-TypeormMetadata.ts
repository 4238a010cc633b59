import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TypeORM's record of the expression messages.search is generated from. PostgreSQL reformats a
 * generation expression, so TypeORM reads the expression a column was made with from its
 * `typeorm_metadata` table, and without the row it cannot compare the schema with the entities
 * (the schema spec does). TypeORM's migration runner creates the table itself, before the first
 * migration, once an entity has a generated column; IF NOT EXISTS makes the same table with the
 * columns TypeORM gives it when it did not. The row is keyed by the database it lives in, hence
 * current_database(). The value must stay equal to MessageEntity's SEARCH_EXPRESSION.
 */
export class TypeormMetadata1765400000300 implements MigrationInterface {
  name = 'TypeormMetadata1765400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS "conversation"."typeorm_metadata" (
        "type" varchar NOT NULL,
        "database" varchar,
        "schema" varchar,
        "table" varchar,
        "name" varchar,
        "value" text
      )`);
    await q.query(
      `INSERT INTO "conversation"."typeorm_metadata" ("type", "database", "schema", "table", "name", "value")
       VALUES ('GENERATED_COLUMN', current_database(), 'conversation', 'messages', 'search', $1)`,
      [`to_tsvector('english', "content")`],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "conversation"."typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "schema" = 'conversation' AND "table" = 'messages' AND "name" = 'search'`);
  }
}
