import { Injectable } from '@nestjs/common';
import { type Actor, AppError, type ChunkView, requireUserId } from '#contracts';
import { toChunkView } from './chunk.mapper.js';
import { ChunksRepository, type ChunkHitRow, type ChunkScope, type IndexRow } from './chunks.repository.js';
import { type MetadataFilter, metadataFilterSql, parseMetadataFilter } from './metadata-filter.js';

export type { ChunkHitRow, ChunkScope, IndexRow } from './chunks.repository.js';
export type { MetadataFilter } from './metadata-filter.js';
export { filterComparesNumbers, metadataFilterPredicate } from './metadata-filter.js';

/** Chunks and their vectors: what ingestion writes and search reads. */
@Injectable()
export class ChunksService {
  constructor(private readonly chunks: ChunksRepository) {}

  async get(actor: Actor, id: string): Promise<ChunkView> {
    const chunk = await this.chunks.findOwned(requireUserId(actor), id);
    if (!chunk) throw AppError.notFound('chunk');
    return toChunkView(chunk);
  }

  /** A request's metadata filter, checked: a 400 names the path of the part at fault. */
  parseFilter(filter: unknown): MetadataFilter | null {
    return parseMetadataFilter(filter);
  }

  scopeOf(knowledgeBaseIds: string[], filter: MetadataFilter | null): ChunkScope {
    const params: unknown[] = [];
    return { knowledgeBaseIds, condition: filter ? metadataFilterSql(filter, 'c."metadata"', params) : null, params };
  }

  insertChunks(document: { id: string; knowledgeBaseId: string; ownerId: string; metadata: Record<string, unknown> }, contents: string[]): Promise<void> {
    return this.chunks.insertChunks(document, contents);
  }

  missingEmbeddings(scope: { documentId: string } | { knowledgeBaseId: string }, generation: number, limit: number): Promise<Array<{ id: string; content: string }>> {
    return this.chunks.missingEmbeddings(scope, generation, limit);
  }

  insertEmbeddings(knowledgeBaseId: string, generation: number, vectors: Array<{ chunkId: string; bytes: Buffer }>): Promise<void> {
    return this.chunks.insertEmbeddings(knowledgeBaseId, generation, vectors);
  }

  progress(scope: { documentId: string } | { knowledgeBaseId: string }, generation: number): Promise<{ done: number; total: number }> {
    return this.chunks.progress(scope, generation);
  }

  deleteEmbeddingsBefore(knowledgeBaseId: string, generation: number): Promise<void> {
    return this.chunks.deleteEmbeddingsBefore(knowledgeBaseId, generation);
  }

  loadIndex(knowledgeBaseId: string, generation: number): Promise<IndexRow[]> {
    return this.chunks.loadIndex(knowledgeBaseId, generation);
  }

  queryTerms(words: string): Promise<string[]> {
    return this.chunks.queryTerms(words);
  }

  candidateIds(scope: ChunkScope): Promise<string[]> {
    return this.chunks.candidateIds(scope);
  }

  rankFullText(ids: string[], tsquery: string): Promise<Array<{ id: string; rank: number }>> {
    return this.chunks.rankFullText(ids, tsquery);
  }

  hits(ids: string[], tsquery: string): Promise<ChunkHitRow[]> {
    return this.chunks.hits(ids, tsquery);
  }
}
