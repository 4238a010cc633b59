/** The vectors of one knowledge base that one search reads: which base, which generation, as of which change. */
export interface IndexedBase {
  id: string;
  generation: number;
  dimensions: number;
  /** The base's index_version: a different one means the cached vectors are stale. */
  version: number;
}

export interface ScoredChunk {
  chunkId: string;
  /** Cosine similarity, from -1 to 1. */
  score: number;
}

/**
 * Nearest chunks of a base to a query vector, exactly or approximately. Candidates, when given,
 * are the chunks a filter let through (the database applied it first): only they are scored, so
 * whenever at least `limit` chunks pass the filter, `limit` come back. The default keeps vectors in
 * memory and scans them exactly; pgvector or a vector database can implement the same interface.
 */
export interface VectorIndex {
  nearest(base: IndexedBase, query: Float32Array, options: { limit: number; candidates?: readonly string[] }): Promise<ScoredChunk[]>;
  /** Drops what this replica (and, by broadcast, every other) holds for the base. */
  invalidate(knowledgeBaseId: string): void;
}

export const VECTOR_INDEX = Symbol('VECTOR_INDEX');
