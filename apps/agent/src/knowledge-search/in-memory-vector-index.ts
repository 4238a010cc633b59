import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AgentConfig } from '#config';
import { bytesToVector } from '#llm';
import { BROADCAST, type Broadcast } from '#messaging';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { ChunksService } from '../chunks/chunks.service.js';
import type { IndexedBase, ScoredChunk, VectorIndex } from './vector-index.js';

/** What one replica holds for one base: every searchable vector back to back, and where each chunk's is. */
interface Entry {
  generation: number;
  version: number;
  dimensions: number;
  ids: string[];
  slots: Map<string, number>;
  vectors: Float32Array;
}

export const VECTORS_INVALIDATED = 'agent.knowledge.vectors-invalidated';

/**
 * The default VectorIndex: per base, a Float32Array of its unit vectors in this replica's memory,
 * scanned exactly (a dot product per candidate). An entry is loaded on the first search and used
 * while the base's index_version and generation are the ones it was loaded at, so a replica that
 * missed a broadcast still never answers from stale vectors; the broadcast frees the memory early.
 * The least recently searched base is dropped first beyond KNOWLEDGE_CACHE_MAX_BASES.
 */
@Injectable()
export class InMemoryVectorIndex implements VectorIndex, OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private unsubscribe: (() => void) | undefined;
  private readonly maxBases: number;

  constructor(
    private readonly chunks: ChunksService,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
    @Inject(AGENT_CONFIG) config: AgentConfig,
  ) {
    this.maxBases = config.knowledge.cacheMaxBases;
  }

  onModuleInit(): void {
    this.unsubscribe = this.broadcast.subscribe<{ knowledgeBaseId?: unknown }>(VECTORS_INVALIDATED, (message) => {
      if (typeof message?.knowledgeBaseId === 'string') this.entries.delete(message.knowledgeBaseId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  invalidate(knowledgeBaseId: string): void {
    this.entries.delete(knowledgeBaseId);
    this.broadcast.publish(VECTORS_INVALIDATED, { knowledgeBaseId });
  }

  async nearest(base: IndexedBase, query: Float32Array, options: { limit: number; candidates?: readonly string[] }): Promise<ScoredChunk[]> {
    const entry = await this.entryFor(base);
    if (query.length !== entry.dimensions) return [];
    let slots: Int32Array | undefined;
    if (options.candidates) {
      slots = new Int32Array(options.candidates.length);
      let n = 0;
      for (const id of options.candidates) {
        const slot = entry.slots.get(id);
        if (slot !== undefined) slots[n++] = slot;
      }
      slots = slots.subarray(0, n);
    }
    const top = scan(entry.vectors, entry.dimensions, entry.ids.length, query, slots, options.limit);
    return top.sorted().map(({ item, score: s }) => ({ chunkId: entry.ids[item], score: s }));
  }

  private async entryFor(base: IndexedBase): Promise<Entry> {
    const cached = this.entries.get(base.id);
    if (cached && cached.generation === base.generation && cached.version === base.version && cached.dimensions === base.dimensions) {
      // Map keeps insertion order: re-inserting makes it the most recently used.
      this.entries.delete(base.id);
      this.entries.set(base.id, cached);
      return cached;
    }
    const key = `${base.id}:${base.generation}:${base.version}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(base).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const entry = await pending;
    this.entries.delete(base.id);
    this.entries.set(base.id, entry);
    while (this.entries.size > this.maxBases) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return entry;
  }

  private async load(base: IndexedBase): Promise<Entry> {
    const rows = await this.chunks.loadVectors(base.id, base.generation);
    const dims = base.dimensions;
    const usable = rows.filter((row) => row.vector.byteLength === dims * 4);
    const vectors = new Float32Array(usable.length * dims);
    const ids: string[] = [];
    const slots = new Map<string, number>();
    usable.forEach((row, slot) => {
      bytesToVector(row.vector, vectors, slot * dims);
      normalise(vectors, slot * dims, dims);
      ids.push(row.chunk_id);
      slots.set(row.chunk_id, slot);
    });
    return { generation: base.generation, version: base.version, dimensions: dims, ids, slots, vectors };
  }
}

/** Scales one stored vector to unit length, so a dot product is the cosine (providers' vectors are not all normalised). */
function normalise(vectors: Float32Array, offset: number, dims: number): void {
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += vectors[offset + d] * vectors[offset + d];
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return;
  const scale = 1 / Math.sqrt(norm);
  for (let d = 0; d < dims; d++) vectors[offset + d] *= scale;
}

/**
 * The exact scan: a dot product per scored vector (all of them, or the given slots), the best
 * `limit` kept in a heap. One plain loop over one Float32Array: what V8 compiles best, within a
 * small factor of the bare loop measured as the floor in bench/.
 */
function scan(vectors: Float32Array, dims: number, count: number, query: Float32Array, slots: Int32Array | undefined, limit: number): TopK {
  const top = new TopK(limit);
  const n = slots ? slots.length : count;
  for (let i = 0; i < n; i++) {
    const slot = slots ? slots[i] : i;
    const offset = slot * dims;
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += vectors[offset + d] * query[d];
    if (dot > top.threshold) top.offer(slot, dot);
  }
  return top;
}

/** The k best (item, score) pairs of a stream, in a min-heap: O(n log k). */
class TopK {
  private readonly items: number[] = [];
  private readonly scores: number[] = [];
  /** Below this a score cannot enter: the heap's least while it is full. */
  threshold = -Infinity;

  constructor(private readonly k: number) {}

  offer(item: number, score: number): void {
    if (this.items.length < this.k) {
      this.items.push(item);
      this.scores.push(score);
      this.up(this.items.length - 1);
    } else if (score > this.scores[0]) {
      this.items[0] = item;
      this.scores[0] = score;
      this.down(0);
    }
    if (this.items.length === this.k) this.threshold = this.scores[0];
  }

  sorted(): Array<{ item: number; score: number }> {
    return this.items.map((item, i) => ({ item, score: this.scores[i] })).sort((a, b) => b.score - a.score);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent] <= this.scores[i]) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && this.scores[l] < this.scores[smallest]) smallest = l;
      if (r < n && this.scores[r] < this.scores[smallest]) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
    [this.scores[a], this.scores[b]] = [this.scores[b], this.scores[a]];
  }
}
