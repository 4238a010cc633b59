import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Actor, type KnowledgeHit, type KnowledgeSearchResult, type SearchKnowledgeRequest, requireUserId } from '#contracts';
import { ActingUser } from '#persistence';
import { ChunksService, type ChunkScope } from '../chunks/chunks.service.js';
import { EmbeddingsService } from '../embeddings/embeddings.service.js';
import { type KnowledgeBaseEntity, KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';
import { VECTOR_INDEX, type VectorIndex } from './vector-index.js';

const DEFAULT_TOP_K = 5;
/** Reciprocal rank fusion's constant: the usual 60 keeps one list's top ranks from drowning the other's. */
const RRF_K = 60;
/** Each ranked list contributes this many candidates (at least) to the fusion. */
const FUSION_DEPTH = 50;
const WORD = /[\p{L}\p{N}]+/gu;
const MAX_QUERY_WORDS = 32;

interface Ranked {
  id: string;
  score: number;
}

/**
 * Search over one or several knowledge bases of one owner. SQL applies the owner, base and
 * metadata filter first; full-text ranks come from PostgreSQL (tsvector), vector ranks from the
 * VectorIndex over exactly the chunks the filter let through; hybrid fuses the two rankings by
 * reciprocal rank fusion. Because the filter runs before scoring, a filter never starves the
 * answer: when at least k chunks match it, k come back (in vector and hybrid modes).
 */
@Injectable()
export class KnowledgeSearchService implements OnModuleInit, OnModuleDestroy {
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly bases: KnowledgeBasesService,
    private readonly chunks: ChunksService,
    private readonly embeddings: EmbeddingsService,
    @Inject(VECTOR_INDEX) private readonly index: VectorIndex,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.bases.onIndexChanged((id) => this.index.invalidate(id));
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
    const bases = await this.bases.requireOwnedMany(ownerId, request.knowledgeBaseIds);
    const k = request.topK ?? DEFAULT_TOP_K;
    const mode = request.mode ?? 'hybrid';
    const depth = Math.max(k, FUSION_DEPTH);
    const scope = this.chunks.scopeOf(
      bases.map((b) => b.id),
      filter,
    );
    const tsquery = toTsQuery(request.query);

    const [fullText, vector] = await Promise.all([
      mode === 'vector' || tsquery === '' ? Promise.resolve<Ranked[]>([]) : this.fullText(scope, tsquery, depth),
      mode === 'fulltext' ? Promise.resolve<Ranked[]>([]) : this.vector(bases, scope, request.query, depth, ownerId),
    ]);
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

  private async fullText(scope: ChunkScope, tsquery: string, depth: number): Promise<Ranked[]> {
    return (await this.chunks.fullText(scope, tsquery, depth)).map((row) => ({ id: row.id, score: row.rank }));
  }

  /** Each base is scored with its own search model; cosines of different models are merged as they are. */
  private async vector(bases: KnowledgeBaseEntity[], scope: ChunkScope, query: string, depth: number, ownerId: string): Promise<Ranked[]> {
    const candidates = scope.condition === null ? undefined : await this.chunks.candidateIds(scope);
    const lists = await Promise.all(
      bases.map(async (base) => {
        const embedder = this.embeddings.embedderFor({ provider: base.searchProvider, model: base.searchModel, dimensions: base.searchDimensions, ownerId });
        const [vector] = await embedder.embed([query]);
        const indexed = { id: base.id, generation: base.searchGeneration, dimensions: base.searchDimensions, version: base.indexVersion };
        return this.index.nearest(indexed, vector, { limit: depth, candidates });
      }),
    );
    return lists
      .flat()
      .map((hit) => ({ id: hit.chunkId, score: hit.score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, depth);
  }
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
 * The query's words as an OR of terms for to_tsquery: a question rarely has all its words in one
 * chunk, so any of them may match and the rank orders by how many and how close. Only letters and
 * digits reach the query text, so no operator of the tsquery syntax can come from the user.
 */
function toTsQuery(query: string): string {
  const words = [...new Set(query.normalize('NFKC').toLowerCase().match(WORD) ?? [])].slice(0, MAX_QUERY_WORDS);
  return words.join(' | ');
}
