import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachment bytes move from a folder on one replica's disk into PostgreSQL, where every replica
 * sees them and a restart loses none. Files still in the old folder (CONVERSATION_ATTACHMENT_DIR,
 * else $DATA_DIR/attachments, as the migrating process sees it) are copied in; an attachment whose
 * file is not there keeps its row and answers 404 on download, as it did when its file was gone.
 */
export class AttachmentsInDatabase1766000001300 implements MigrationInterface {
  name = 'AttachmentsInDatabase1766000001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "conversation"."attachment_contents" (
        "attachment_id" uuid NOT NULL,
        "bytes" bytea NOT NULL,
        CONSTRAINT "attachment_contents_pkey" PRIMARY KEY ("attachment_id"),
        CONSTRAINT "attachment_contents_attachment_id_fkey" FOREIGN KEY ("attachment_id") REFERENCES "conversation"."attachments" ("id") ON DELETE CASCADE
      )`);
    const folder = process.env.CONVERSATION_ATTACHMENT_DIR?.trim() || join(process.env.DATA_DIR?.trim() || './.data', 'attachments');
    const rows: Array<{ id: string; storage_key: string }> = await q.query(`SELECT "id", "storage_key" FROM "conversation"."attachments"`);
    for (const row of rows) {
      const bytes = await readFile(join(folder, row.storage_key)).catch(() => null);
      if (bytes) await q.query(`INSERT INTO "conversation"."attachment_contents" ("attachment_id", "bytes") VALUES ($1, $2)`, [row.id, bytes]);
    }
    await q.query(`ALTER TABLE "conversation"."attachments" DROP CONSTRAINT "attachments_storage_key_uq"`);
    await q.query(`ALTER TABLE "conversation"."attachments" DROP COLUMN "storage_key"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conversation"."attachments" ADD COLUMN "storage_key" text`);
    await q.query(`UPDATE "conversation"."attachments" SET "storage_key" = "owner_id" || '/' || "id"`);
    await q.query(`ALTER TABLE "conversation"."attachments" ALTER COLUMN "storage_key" SET NOT NULL`);
    await q.query(`ALTER TABLE "conversation"."attachments" ADD CONSTRAINT "attachments_storage_key_uq" UNIQUE ("storage_key")`);
    await q.query(`DROP TABLE "conversation"."attachment_contents"`);
  }
}
