import type { MetadataFilter } from '../chunks/chunks.service.js';

/** The chunks of one knowledge base that one search reads: which base, which generation, as of which change. */
export interface IndexedBase {
  id: string;
  generation: number;
  dimensions: number;
  /** The base's index_version: a different one means the cached chunks are stale. */
  version: number;
}

export interface ScoredChunk {
  chunkId: string;
  /** Vector search: cosine similarity, from -1 to 1. Full text: BM25, 0 and up. */
  score: number;
}

/** What one search of one base asks for: how many, and which chunks may answer (null: all). */
export interface IndexQuery {
  limit: number;
  filter: MetadataFilter | null;
}

/**
 * Nearest chunks of a base to a query vector, exactly or approximately. The filter applies before
 * scoring: only chunks that pass it are scored, so whenever at least `limit` chunks pass it,
 * `limit` come back. The default keeps vectors in memory and scans them exactly; pgvector or a
 * vector database can implement the same interface.
 */
export interface VectorIndex {
  nearest(base: IndexedBase, query: Float32Array, options: IndexQuery): Promise<ScoredChunk[]>;
  /** Drops what this replica (and, by broadcast, every other) holds for the base. */
  invalidate(knowledgeBaseId: string): void;
}

/** Chunks of a base holding any of the terms (lexemes of PostgreSQL's `english` configuration), best first, the filter applied first. */
export interface FullTextIndex {
  matching(base: IndexedBase, terms: readonly string[], options: IndexQuery): Promise<ScoredChunk[]>;
}

export const VECTOR_INDEX = Symbol('VECTOR_INDEX');
export const FULL_TEXT_INDEX = Symbol('FULL_TEXT_INDEX');
