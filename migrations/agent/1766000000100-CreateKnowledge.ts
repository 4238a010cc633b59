import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Knowledge bases, their documents (also the ingestion queue), chunks with full-text vectors, and chunk embeddings per model generation. */
export class CreateKnowledge1766000000100 implements MigrationInterface {
  name = 'CreateKnowledge1766000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "agent"."knowledge_bases" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "project_id" uuid,
        "name" text NOT NULL,
        "description" text,
        "embedding_provider" text NOT NULL,
        "embedding_model" text NOT NULL,
        "embedding_dimensions" integer NOT NULL,
        "embedding_generation" integer NOT NULL DEFAULT 1,
        "search_provider" text NOT NULL,
        "search_model" text NOT NULL,
        "search_dimensions" integer NOT NULL,
        "search_generation" integer NOT NULL DEFAULT 1,
        "chunk_size" integer NOT NULL,
        "chunk_overlap" integer NOT NULL,
        "index_version" integer NOT NULL DEFAULT 0,
        "lease_owner" text,
        "lease_expires_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "knowledge_bases_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "knowledge_bases_generation_ck" CHECK ("search_generation" <= "embedding_generation"),
        CONSTRAINT "knowledge_bases_chunking_ck" CHECK ("chunk_overlap" >= 0 AND "chunk_overlap" * 2 < "chunk_size")
      )`);
    await q.query(`CREATE INDEX "knowledge_bases_owner_id_id_idx" ON "agent"."knowledge_bases" ("owner_id", "id" DESC)`);
    await q.query(`CREATE INDEX "knowledge_bases_project_id_idx" ON "agent"."knowledge_bases" ("project_id") WHERE "project_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "knowledge_bases_reembed_idx" ON "agent"."knowledge_bases" ("id") WHERE "search_generation" < "embedding_generation"`);
    await q.query(`
      CREATE TABLE "agent"."documents" (
        "id" uuid NOT NULL,
        "knowledge_base_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "title" text NOT NULL,
        "source" text NOT NULL,
        "content_type" text NOT NULL,
        "source_ref" text,
        "content" text NOT NULL,
        "content_hash" text NOT NULL,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "size_bytes" integer NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "error" text,
        "chunks_total" integer NOT NULL DEFAULT 0,
        "chunks_done" integer NOT NULL DEFAULT 0,
        "attempts" integer NOT NULL DEFAULT 0,
        "lease_owner" text,
        "lease_expires_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "documents_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "documents_status_ck" CHECK ("status" IN ('pending', 'processing', 'ready', 'failed')),
        CONSTRAINT "documents_knowledge_base_id_content_hash_uq" UNIQUE ("knowledge_base_id", "content_hash"),
        CONSTRAINT "documents_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "agent"."knowledge_bases" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "documents_knowledge_base_id_id_idx" ON "agent"."documents" ("knowledge_base_id", "id")`);
    // The ingestion queue: only the documents still to do.
    await q.query(`CREATE INDEX "documents_work_idx" ON "agent"."documents" ("id") WHERE "status" IN ('pending', 'processing')`);
    await q.query(`
      CREATE TABLE "agent"."chunks" (
        "id" uuid NOT NULL,
        "document_id" uuid NOT NULL,
        "knowledge_base_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "chunk_index" integer NOT NULL,
        "content" text NOT NULL,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "search" tsvector NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "chunks_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "chunks_document_id_chunk_index_uq" UNIQUE ("document_id", "chunk_index"),
        CONSTRAINT "chunks_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "agent"."documents" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "chunks_knowledge_base_id_idx" ON "agent"."chunks" ("knowledge_base_id")`);
    await q.query(`CREATE INDEX "chunks_search_idx" ON "agent"."chunks" USING GIN ("search")`);
    await q.query(`
      CREATE TABLE "agent"."chunk_embeddings" (
        "id" uuid NOT NULL,
        "chunk_id" uuid NOT NULL,
        "knowledge_base_id" uuid NOT NULL,
        "generation" integer NOT NULL,
        "vector" bytea NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "chunk_embeddings_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "chunk_embeddings_chunk_id_generation_uq" UNIQUE ("chunk_id", "generation"),
        CONSTRAINT "chunk_embeddings_chunk_id_fkey" FOREIGN KEY ("chunk_id") REFERENCES "agent"."chunks" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "chunk_embeddings_knowledge_base_id_generation_idx" ON "agent"."chunk_embeddings" ("knowledge_base_id", "generation")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent"."chunk_embeddings"`);
    await q.query(`DROP TABLE "agent"."chunks"`);
    await q.query(`DROP TABLE "agent"."documents"`);
    await q.query(`DROP TABLE "agent"."knowledge_bases"`);
  }
}
