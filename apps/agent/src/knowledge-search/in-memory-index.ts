import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AgentConfig } from '#config';
import { bytesToVector } from '#llm';
import { BROADCAST, type Broadcast } from '#messaging';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { ChunksService, filterComparesNumbers, type IndexRow, type MetadataFilter, metadataFilterPredicate } from '../chunks/chunks.service.js';
import type { FullTextIndex, IndexedBase, IndexQuery, ScoredChunk, VectorIndex } from './vector-index.js';

/** BM25's usual constants: term frequency saturates around k1, length normalisation weighs b. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** Filter results kept per base: a search (and the next ones, which often repeat it) evaluates a filter once. */
const FILTERS_KEPT = 16;

/** Which chunks of a base a filter lets through: a flag per slot, and the slots themselves in order. */
interface Passing {
  bitmap: Uint8Array;
  slots: Int32Array;
}

/** The chunks' lexemes as postings, compressed-row style: term t's chunks are slots[starts[t] .. starts[t + 1]). */
interface TextIndex {
  terms: Map<string, number>;
  starts: Int32Array;
  slots: Int32Array;
  frequencies: Uint16Array;
  /** Positions per chunk (its length in lexemes, stop words left out). */
  lengths: Uint16Array;
  averageLength: number;
}

/** What one replica holds for one base: every searchable chunk's vector, metadata and lexemes, by slot. */
interface Entry {
  generation: number;
  version: number;
  dimensions: number;
  ids: string[];
  slots: Map<string, number>;
  vectors: Float32Array;
  /** Chunks of a document share its metadata: each distinct value is kept (and filtered) once. */
  metadataOf: Uint32Array;
  metadata: unknown[];
  /** Some metadata number has more digits than a double keeps: numeric filters go to SQL. */
  impreciseNumbers: boolean;
  text: TextIndex;
  filters: Map<string, Passing>;
  /** Scratch for BM25 sums, zero between searches (scoring never awaits, so searches cannot interleave in it). */
  sums: Float64Array;
}

export const VECTORS_INVALIDATED = 'agent.knowledge.vectors-invalidated';

/**
 * The default VectorIndex and FullTextIndex: per base, the searchable chunks in this replica's
 * memory, loaded from PostgreSQL in one query (unit vectors back to back in a Float32Array, each
 * distinct metadata value once, the stored tsvectors as postings). A search costs no query here:
 * - the metadata filter is evaluated over the distinct metadata values (as many as documents,
 *   usually), with the meaning the SQL filter has, into a bitmap over the chunks;
 * - vector search scans exactly the chunks the bitmap lets through;
 * - full text scores with BM25 the chunks that hold a query term and pass the bitmap, from the
 *   lexemes PostgreSQL stored (`english` configuration), so only matches are touched, never
 *   every chunk.
 * Only a numeric filter over metadata holding numbers beyond a double's precision is left to SQL.
 *
 * An entry is loaded on the first search and used while the base's index_version and generation
 * are the ones it was loaded at, so a replica that missed a broadcast still never answers from
 * stale chunks; the broadcast frees the memory early. Beyond KNOWLEDGE_CACHE_MAX_BASES the least
 * recently searched base is dropped first.
 */
@Injectable()
export class InMemoryIndex implements VectorIndex, FullTextIndex, OnModuleInit, OnModuleDestroy {
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

  async nearest(base: IndexedBase, query: Float32Array, options: IndexQuery): Promise<ScoredChunk[]> {
    const entry = await this.entryFor(base);
    if (query.length !== entry.dimensions) return [];
    const passing = await this.passing(base, entry, options.filter);
    const top = scan(entry.vectors, entry.dimensions, entry.ids.length, query, passing?.slots, options.limit);
    return top.sorted().map(({ item, score }) => ({ chunkId: entry.ids[item], score }));
  }

  async matching(base: IndexedBase, terms: readonly string[], options: IndexQuery): Promise<ScoredChunk[]> {
    if (terms.length === 0) return [];
    const entry = await this.entryFor(base);
    const passing = await this.passing(base, entry, options.filter);
    const top = bm25(entry, terms, passing?.bitmap, options.limit);
    return top.sorted().map(({ item, score }) => ({ chunkId: entry.ids[item], score }));
  }

  /** The chunks the filter lets through; null when there is no filter (every chunk). */
  private async passing(base: IndexedBase, entry: Entry, filter: MetadataFilter | null): Promise<Passing | null> {
    if (filter === null) return null;
    if (entry.impreciseNumbers && filterComparesNumbers(filter)) {
      const ids = await this.chunks.candidateIds(this.chunks.scopeOf([base.id], filter));
      const bitmap = new Uint8Array(entry.ids.length);
      for (const id of ids) {
        const slot = entry.slots.get(id);
        if (slot !== undefined) bitmap[slot] = 1;
      }
      return { bitmap, slots: slotsOf(bitmap) };
    }
    const key = JSON.stringify(filter);
    const kept = entry.filters.get(key);
    if (kept) return kept;
    const test = metadataFilterPredicate(filter);
    const passes = new Uint8Array(entry.metadata.length);
    entry.metadata.forEach((metadata, i) => (passes[i] = test(metadata) ? 1 : 0));
    const bitmap = new Uint8Array(entry.ids.length);
    for (let slot = 0; slot < bitmap.length; slot++) bitmap[slot] = passes[entry.metadataOf[slot]];
    const passing = { bitmap, slots: slotsOf(bitmap) };
    if (entry.filters.size >= FILTERS_KEPT) entry.filters.delete(entry.filters.keys().next().value as string);
    entry.filters.set(key, passing);
    return passing;
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
    const dims = base.dimensions;
    const rows = (await this.chunks.loadIndex(base.id, base.generation)).filter((row) => row.vector.byteLength === dims * 4);
    const vectors = new Float32Array(rows.length * dims);
    const ids: string[] = [];
    const slots = new Map<string, number>();
    const metadataOf = new Uint32Array(rows.length);
    const metadata: unknown[] = [];
    const distinct = new Map<string, number>();
    let impreciseNumbers = false;
    rows.forEach((row, slot) => {
      bytesToVector(row.vector, vectors, slot * dims);
      normalise(vectors, slot * dims, dims);
      ids.push(row.chunk_id);
      slots.set(row.chunk_id, slot);
      let index = distinct.get(row.metadata);
      if (index === undefined) {
        index = metadata.push(JSON.parse(row.metadata)) - 1;
        distinct.set(row.metadata, index);
        impreciseNumbers ||= hasImpreciseNumber(row.metadata);
      }
      metadataOf[slot] = index;
    });
    return {
      generation: base.generation,
      version: base.version,
      dimensions: dims,
      ids,
      slots,
      vectors,
      metadataOf,
      metadata,
      impreciseNumbers,
      text: textIndex(rows),
      filters: new Map(),
      sums: new Float64Array(rows.length),
    };
  }
}

function slotsOf(bitmap: Uint8Array): Int32Array {
  let n = 0;
  for (let slot = 0; slot < bitmap.length; slot++) n += bitmap[slot];
  const slots = new Int32Array(n);
  for (let slot = 0, i = 0; slot < bitmap.length; slot++) if (bitmap[slot]) slots[i++] = slot;
  return slots;
}

/**
 * Whether jsonb text holds a number a double cannot carry exactly (more than 15 significant
 * digits, or an exponent beyond a double's range). Digits inside strings count too: the test only
 * decides whether numeric filters over this base are left to SQL, so erring that way is safe.
 */
function hasImpreciseNumber(json: string): boolean {
  for (const [, mantissa, exponent] of json.matchAll(/(\d+(?:\.\d+)?)(?:[eE][+-]?(\d+))?/g)) {
    if (mantissa.replace('.', '').replace(/^0+/, '').length > 15) return true;
    if (exponent !== undefined && Number(exponent) > 300) return true;
  }
  return false;
}

/** Postings of every chunk's stored tsvector (text form: 'lexeme':1,5B 'other':3), lexeme by lexeme. */
function textIndex(rows: IndexRow[]): TextIndex {
  const terms = new Map<string, number>();
  const counts: number[] = [];
  let rowSlots = new Int32Array(1024);
  let rowTerms = new Int32Array(1024);
  let rowFrequencies = new Uint16Array(1024);
  let n = 0;
  const lengths = new Uint16Array(rows.length);
  let totalLength = 0;
  rows.forEach((row, slot) => {
    let length = 0;
    forEachLexeme(row.search ?? '', (lexeme, frequency) => {
      let term = terms.get(lexeme);
      if (term === undefined) {
        term = counts.push(0) - 1;
        terms.set(lexeme, term);
      }
      counts[term]++;
      if (n === rowSlots.length) {
        rowSlots = grow(rowSlots, new Int32Array(n * 2));
        rowTerms = grow(rowTerms, new Int32Array(n * 2));
        rowFrequencies = grow(rowFrequencies, new Uint16Array(n * 2));
      }
      rowSlots[n] = slot;
      rowTerms[n] = term;
      rowFrequencies[n] = frequency;
      n++;
      length += frequency;
    });
    lengths[slot] = Math.min(length, 0xffff);
    totalLength += length;
  });
  const starts = new Int32Array(counts.length + 1);
  for (let t = 0; t < counts.length; t++) starts[t + 1] = starts[t] + counts[t];
  const fill = starts.slice(0, counts.length);
  const slots = new Int32Array(n);
  const frequencies = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const at = fill[rowTerms[i]]++;
    slots[at] = rowSlots[i];
    frequencies[at] = rowFrequencies[i];
  }
  return { terms, starts, slots, frequencies, lengths, averageLength: rows.length === 0 ? 0 : totalLength / rows.length };
}

function grow<T extends Int32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

const QUOTE = 39;
const BACKSLASH = 92;

/**
 * Calls back with each lexeme of a tsvector's text form and how many positions it has (1 for a
 * lexeme stored without positions). Quotes inside a lexeme are doubled, backslashes escaped.
 */
export function forEachLexeme(text: string, each: (lexeme: string, frequency: number) => void): void {
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "'") {
      i++;
      continue;
    }
    let lexeme = '';
    let from = ++i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        lexeme += text.slice(from, i) + text.charAt(i + 1);
        i = from = i + 2;
      } else if (c === QUOTE && text.charCodeAt(i + 1) === QUOTE) {
        lexeme += text.slice(from, i) + "'";
        i = from = i + 2;
      } else if (c === QUOTE) {
        break;
      } else {
        i++;
      }
    }
    lexeme += text.slice(from, i++);
    let frequency = 1;
    if (text[i] === ':') {
      while (i < text.length && text[i] !== ' ') if (text[i++] === ',') frequency++;
    }
    each(lexeme, frequency);
  }
}

/**
 * BM25 over the chunks holding any term (each term once), the bitmap's chunks only: the sum over
 * terms of idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average length)), where idf
 * counts over the whole base so a filter does not change what a term is worth.
 */
function bm25(entry: Entry, terms: readonly string[], bitmap: Uint8Array | undefined, limit: number): TopK {
  const { text, sums } = entry;
  const count = entry.ids.length;
  const touched: number[] = [];
  for (const lexeme of new Set(terms)) {
    const term = text.terms.get(lexeme);
    if (term === undefined) continue;
    const from = text.starts[term];
    const to = text.starts[term + 1];
    const idf = Math.log(1 + (count - (to - from) + 0.5) / (to - from + 0.5));
    for (let i = from; i < to; i++) {
      const slot = text.slots[i];
      if (bitmap && !bitmap[slot]) continue;
      const tf = text.frequencies[i];
      const norm = BM25_K1 * (1 - BM25_B + (BM25_B * text.lengths[slot]) / (text.averageLength || 1));
      if (sums[slot] === 0) touched.push(slot);
      sums[slot] += (idf * tf * (BM25_K1 + 1)) / (tf + norm);
    }
  }
  const top = new TopK(limit);
  for (const slot of touched) {
    if (sums[slot] > top.threshold) top.offer(slot, sums[slot]);
    sums[slot] = 0;
  }
  return top;
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

  /** Best first; equal scores in slot order (the order chunks were loaded in), never by chance. */
  sorted(): Array<{ item: number; score: number }> {
    return this.items.map((item, i) => ({ item, score: this.scores[i] })).sort((a, b) => b.score - a.score || a.item - b.item);
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
