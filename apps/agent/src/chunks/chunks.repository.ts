import { Injectable } from '@nestjs/common';
import { Database, newId } from '#persistence';
import { ChunkEntity } from './chunk.entity.js';

/** A chunk as search answers it. */
export interface ChunkHitRow {
  id: string;
  document_id: string;
  knowledge_base_id: string;
  content: string;
  metadata: Record<string, unknown>;
  highlight: string;
}

/** A searchable chunk as the in-memory index loads it. */
export interface IndexRow {
  chunk_id: string;
  vector: Buffer;
  /** jsonb as text: parsed once per distinct value. */
  metadata: string;
  /** The tsvector as text ('lexeme':1,4 ...). */
  search: string;
}

/** Where chunks of a search may come from: bases (already checked to be the owner's) and an SQL condition over c."metadata". */
export interface ChunkScope {
  knowledgeBaseIds: string[];
  /** An SQL condition whose $n refer to `params`, numbered from 1. */
  condition: string | null;
  params: unknown[];
}

const HEADLINE_OPTIONS = 'MaxFragments=2, MaxWords=30, MinWords=12, StartSel=**, StopSel=**';

/**
 * All SQL over chunks and their vectors. Plain SQL throughout: multi-row writes with unnest and
 * ON CONFLICT, the filtered candidate set as one aggregated row and headlines are what the
 * repository API cannot say, and the search path is measured (bench/).
 */
@Injectable()
export class ChunksRepository {
  constructor(private readonly database: Database) {}

  findOwned(ownerId: string, id: string): Promise<ChunkEntity | null> {
    return this.database.repository(ChunkEntity).findOneBy({ id, ownerId });
  }

  /** Writes the chunks of a document; the ones already there (a resumed ingestion) are left alone. */
  async insertChunks(document: { id: string; knowledgeBaseId: string; ownerId: string; metadata: Record<string, unknown> }, contents: string[]): Promise<void> {
    if (contents.length === 0) return;
    await this.database.query(
      `INSERT INTO "agent"."chunks" ("id", "document_id", "knowledge_base_id", "owner_id", "chunk_index", "content", "metadata", "search")
       SELECT u."id", $2, $3, $4, u."index", u."content", $5::jsonb, to_tsvector('english', u."content")
       FROM unnest($1::uuid[], $6::int[], $7::text[]) AS u("id", "index", "content")
       ON CONFLICT ON CONSTRAINT "chunks_document_id_chunk_index_uq" DO NOTHING`,
      [contents.map(() => newId()), document.id, document.knowledgeBaseId, document.ownerId, JSON.stringify(document.metadata), contents.map((_, i) => i), contents],
    );
  }

  /** Chunks (of one document, or of a whole base) without a vector of this generation, in order. */
  missingEmbeddings(scope: { documentId: string } | { knowledgeBaseId: string }, generation: number, limit: number): Promise<Array<{ id: string; content: string }>> {
    const [column, id] = 'documentId' in scope ? ['document_id', scope.documentId] : ['knowledge_base_id', scope.knowledgeBaseId];
    return this.database.query(
      `SELECT c."id", c."content" FROM "agent"."chunks" c
       WHERE c."${column}" = $1 AND NOT EXISTS (SELECT 1 FROM "agent"."chunk_embeddings" e WHERE e."chunk_id" = c."id" AND e."generation" = $2)
       ORDER BY c."document_id", c."chunk_index" LIMIT $3`,
      [id, generation, limit],
    );
  }

  async insertEmbeddings(knowledgeBaseId: string, generation: number, vectors: Array<{ chunkId: string; bytes: Buffer }>): Promise<void> {
    if (vectors.length === 0) return;
    await this.database.query(
      `INSERT INTO "agent"."chunk_embeddings" ("id", "chunk_id", "knowledge_base_id", "generation", "vector")
       SELECT u."id", u."chunk_id", $3, $4, u."vector" FROM unnest($1::uuid[], $2::uuid[], $5::bytea[]) AS u("id", "chunk_id", "vector")
       ON CONFLICT ON CONSTRAINT "chunk_embeddings_chunk_id_generation_uq" DO NOTHING`,
      [vectors.map(() => newId()), vectors.map((v) => v.chunkId), knowledgeBaseId, generation, vectors.map((v) => v.bytes)],
    );
  }

  /** How many chunks there are and how many have a vector of this generation, for a document or a base. */
  async progress(scope: { documentId: string } | { knowledgeBaseId: string }, generation: number): Promise<{ done: number; total: number }> {
    const [column, id] = 'documentId' in scope ? ['document_id', scope.documentId] : ['knowledge_base_id', scope.knowledgeBaseId];
    const [row] = await this.database.query<{ total: number; done: number }>(
      `SELECT count(*)::int AS "total",
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "agent"."chunk_embeddings" e WHERE e."chunk_id" = c."id" AND e."generation" = $2))::int AS "done"
       FROM "agent"."chunks" c WHERE c."${column}" = $1`,
      [id, generation],
    );
    return { done: row?.done ?? 0, total: row?.total ?? 0 };
  }

  /** Vectors of generations before `generation`: nobody searches them any more. */
  async deleteEmbeddingsBefore(knowledgeBaseId: string, generation: number): Promise<void> {
    await this.database.query(`DELETE FROM "agent"."chunk_embeddings" WHERE "knowledge_base_id" = $1 AND "generation" < $2`, [knowledgeBaseId, generation]);
  }

  /**
   * Every searchable chunk of a base (of a ready document) with its vector of this generation, its
   * metadata and its tsvector as text, for the in-memory index: what search filters and ranks.
   */
  loadIndex(knowledgeBaseId: string, generation: number): Promise<IndexRow[]> {
    return this.database.query(
      `SELECT e."chunk_id", e."vector", c."metadata"::text AS "metadata", c."search"::text AS "search" FROM "agent"."chunk_embeddings" e
       JOIN "agent"."chunks" c ON c."id" = e."chunk_id"
       JOIN "agent"."documents" d ON d."id" = c."document_id" AND d."status" = 'ready'
       WHERE e."knowledge_base_id" = $1 AND e."generation" = $2
       ORDER BY e."chunk_id"`,
      [knowledgeBaseId, generation],
    );
  }

  /** The lexemes PostgreSQL makes of a query's words: the terms the stored tsvectors hold. */
  async queryTerms(words: string): Promise<string[]> {
    const [row] = await this.database.query<{ terms: string[] }>(`SELECT tsvector_to_array(to_tsvector('english', $1)) AS "terms"`, [words]);
    return row?.terms ?? [];
  }

  /**
   * The ids of the searchable chunks that pass the scope's condition, as one string of 36-character
   * ids: one row instead of one per chunk keeps a filter over 100,000 chunks cheap.
   */
  async candidateIds(scope: ChunkScope): Promise<string[]> {
    const params = [...scope.params, scope.knowledgeBaseIds];
    const [row] = await this.database.query<{ ids: string | null }>(
      `SELECT string_agg(c."id"::text, '') AS "ids" FROM "agent"."chunks" c
       WHERE c."knowledge_base_id" = ANY($${params.length}::uuid[]) ${scope.condition ? `AND ${scope.condition}` : ''}
         AND EXISTS (SELECT 1 FROM "agent"."documents" d WHERE d."id" = c."document_id" AND d."status" = 'ready')`,
      params,
    );
    const ids: string[] = [];
    const text = row?.ids ?? '';
    for (let i = 0; i < text.length; i += 36) ids.push(text.slice(i, i + 36));
    return ids;
  }

  /** PostgreSQL's own full-text rank (ts_rank_cd: how many of the query's words, how close together) of a bounded set of chunks. */
  rankFullText(ids: string[], tsquery: string): Promise<Array<{ id: string; rank: number }>> {
    return this.database.query(
      `SELECT c."id", ts_rank_cd(c."search", to_tsquery('english', $2)) AS "rank" FROM "agent"."chunks" c WHERE c."id" = ANY($1::uuid[])`,
      [ids, tsquery],
    );
  }

  /** The chunks search answers, with the query's words marked. */
  hits(ids: string[], tsquery: string): Promise<ChunkHitRow[]> {
    return this.database.query(
      `SELECT c."id", c."document_id", c."knowledge_base_id", c."content", c."metadata",
              ts_headline('english', c."content", to_tsquery('english', $2), '${HEADLINE_OPTIONS}') AS "highlight"
       FROM "agent"."chunks" c WHERE c."id" = ANY($1::uuid[])`,
      [ids, tsquery],
    );
  }
}
