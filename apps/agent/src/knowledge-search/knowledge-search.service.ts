import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Actor, type KnowledgeHit, type KnowledgeSearchResult, type SearchKnowledgeRequest, requireUserId } from '#contracts';
import { ActingUser } from '#persistence';
import { ChunksService, type MetadataFilter } from '../chunks/chunks.service.js';
import { EmbeddingsService } from '../embeddings/embeddings.service.js';
import { type KnowledgeBaseEntity, KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';
import { FULL_TEXT_INDEX, type FullTextIndex, type IndexedBase, type IndexQuery, type ScoredChunk, StaleGenerationError, VECTOR_INDEX, type VectorIndex } from './vector-index.js';

const DEFAULT_TOP_K = 5;
/** Reciprocal rank fusion's constant: the usual 60 keeps one list's top ranks from drowning the other's. */
const RRF_K = 60;
/** Each ranked list contributes this many candidates (at least) to the fusion. */
const FUSION_DEPTH = 50;
/**
 * Full text: the in-memory index picks this many candidates per fusion slot by BM25, and
 * PostgreSQL's ts_rank_cd orders them; ranking every chunk that holds a common word in SQL is what
 * made a search over 100,000 chunks cost 100 ms and more.
 */
const FULL_TEXT_POOL_FACTOR = 4;
const WORD = /[\p{L}\p{N}]+/gu;
const MAX_QUERY_WORDS = 32;

interface Ranked {
  id: string;
  score: number;
}

/**
 * Search over one or several knowledge bases of one owner. The bases are checked to be the
 * owner's in SQL; everything else runs on the index's in-memory copy of each base: the metadata
 * filter first, then vector ranks (exact cosine) and full-text candidates (BM25 over the lexemes
 * of PostgreSQL's stored tsvectors) over exactly the chunks the filter let through. PostgreSQL
 * ranks the bounded set of full-text candidates (ts_rank_cd), and hybrid fuses the two rankings by
 * reciprocal rank fusion. Because the filter runs before scoring, a filter never starves the
 * answer: when at least k chunks match it, k come back (in vector and hybrid modes). Four small
 * statements per search: the bases and the query's lexemes (in parallel), the candidates' ranks,
 * and the k results.
 */
@Injectable()
export class KnowledgeSearchService implements OnModuleInit, OnModuleDestroy {
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly bases: KnowledgeBasesService,
    private readonly chunks: ChunksService,
    private readonly embeddings: EmbeddingsService,
    @Inject(VECTOR_INDEX) private readonly vectors: VectorIndex,
    @Inject(FULL_TEXT_INDEX) private readonly texts: FullTextIndex,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.bases.onIndexChanged((id) => this.vectors.invalidate(id));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  search(actor: Actor, request: SearchKnowledgeRequest): Promise<KnowledgeSearchResult> {
    // A service acts for the owner it names; a user is always the owner, whatever the body says.
    const ownerId = actor.kind === 'service' && request.ownerId ? request.ownerId : requireUserId(actor);
    return ActingUser.run(ownerId, () => this.searchFor(ownerId, request));
  }

  private async searchFor(ownerId: string, request: SearchKnowledgeRequest): Promise<KnowledgeSearchResult> {
    const filter = this.chunks.parseFilter(request.filter);
    try {
      return await this.searchOnce(ownerId, request, filter);
    } catch (err) {
      // A re-embedding finished meanwhile: the base read anew names the vectors search uses now.
      if (err instanceof StaleGenerationError) return this.searchOnce(ownerId, request, filter);
      throw err;
    }
  }

  private async searchOnce(ownerId: string, request: SearchKnowledgeRequest, filter: MetadataFilter | null): Promise<KnowledgeSearchResult> {
    const k = request.topK ?? DEFAULT_TOP_K;
    const mode = request.mode ?? 'hybrid';
    const depth = Math.max(k, FUSION_DEPTH);
    const words = queryWords(request.query);
    const [bases, terms] = await Promise.all([
      this.bases.requireOwnedMany(ownerId, request.knowledgeBaseIds),
      mode === 'vector' || words.length === 0 ? Promise.resolve([]) : this.chunks.queryTerms(words.join(' ')),
    ]);
    const query = { limit: depth, filter };
    const pool = { limit: depth * FULL_TEXT_POOL_FACTOR, filter };
    const tsquery = words.join(' | ');
    const indexed = bases.map((base) => ({ id: base.id, generation: base.searchGeneration, dimensions: base.searchDimensions, version: base.indexVersion }));
    // Full text first: its candidates come from memory at once, and PostgreSQL ranks them while this
    // process scans the vectors.
    const fullTextRanked = Promise.all(indexed.map((base) => this.texts.matching(base, terms, pool))).then((lists) => this.rankFullText(lists.flat(), tsquery, depth));
    // Cosines of several bases are merged as they are, though their models may differ.
    const vectorRanked =
      mode === 'fulltext' ? Promise.resolve([]) : Promise.all(bases.map((base, i) => this.nearest(base, indexed[i], request.query, ownerId, query))).then((lists) => best(lists.flat(), depth));
    const [fullText, vector] = await Promise.all([fullTextRanked, vectorRanked]);
    const ranked = mode === 'fulltext' ? fullText : mode === 'vector' ? vector : fuse([fullText, vector], vector);
    const top = ranked.slice(0, k);
    if (top.length === 0) return { items: [] };
    const rows = new Map((await this.chunks.hits(top.map((r) => r.id), tsquery)).map((row) => [row.id, row]));
    const items: KnowledgeHit[] = [];
    for (const { id, score } of top) {
      const row = rows.get(id);
      if (!row) continue; // deleted since it was ranked
      items.push({ chunkId: row.id, documentId: row.document_id, knowledgeBaseId: row.knowledge_base_id, content: row.content, score, metadata: row.metadata, highlight: row.highlight });
    }
    return { items };
  }

  /** The candidates in PostgreSQL's rank order (ts_rank_cd), equal ranks older chunk first, as SQL ranked them all before. */
  private async rankFullText(candidates: ScoredChunk[], tsquery: string, depth: number): Promise<Ranked[]> {
    if (candidates.length === 0) return [];
    const ranked = await this.chunks.rankFullText(
      candidates.map((c) => c.chunkId),
      tsquery,
    );
    return ranked
      .map((row) => ({ id: row.id, score: row.rank }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, depth);
  }

  /** Each base is scored with its own search model. */
  private async nearest(base: KnowledgeBaseEntity, indexed: IndexedBase, text: string, ownerId: string, query: IndexQuery): Promise<ScoredChunk[]> {
    const embedder = this.embeddings.embedderFor({ provider: base.searchProvider, model: base.searchModel, dimensions: base.searchDimensions, ownerId });
    const [vector] = await embedder.embed([text]);
    // Let the full-text ranking's query go out before the scan holds this thread.
    await new Promise((resolve) => setImmediate(resolve));
    return this.vectors.nearest(indexed, vector, query);
  }
}

function best(hits: ScoredChunk[], depth: number): Ranked[] {
  return hits
    .map((hit) => ({ id: hit.chunkId, score: hit.score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, depth);
}

/**
 * Reciprocal rank fusion: each list adds 1 / (60 + rank) for every chunk it ranks. Two lists that
 * swap their top two tie exactly; a tie goes to the chunk closer to the query by vector similarity
 * (the one score every chunk has), then to the older chunk, never to chance.
 */
function fuse(lists: Ranked[][], tieBreak: Ranked[]): Ranked[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.forEach((item, i) => scores.set(item.id, (scores.get(item.id) ?? 0) + 1 / (RRF_K + i + 1)));
  }
  const similarity = new Map(tieBreak.map((item) => [item.id, item.score]));
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
  return [...scores.entries()]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => (close(a.score, b.score) ? (similarity.get(b.id) ?? -Infinity) - (similarity.get(a.id) ?? -Infinity) || (a.id < b.id ? -1 : 1) : b.score - a.score));
}

/**
 * The query's words, lower-cased, each once: the terms of full-text search (any of them may match,
 * a question rarely has all its words in one chunk) and, joined by `|`, the tsquery that marks them
 * in highlights. Only letters and digits are kept, so no operator of the tsquery syntax can come
 * from the user.
 */
function queryWords(query: string): string[] {
  return [...new Set(query.normalize('NFKC').toLowerCase().match(WORD) ?? [])].slice(0, MAX_QUERY_WORDS);
}
