import { BUILTIN_EMBEDDING_MODEL } from '#contracts';
import { ModelProviderError, toModelProviderError } from './llm-errors.js';

/**
 * Text embedders: what turns chunks and queries into vectors for knowledge search.
 *
 * The built-in one needs no model file and no network: no npm package ships embedding weights and
 * nothing may be downloaded at run time, so it is a deterministic feature-hashing model (word
 * unigrams and character n-grams, signed hashing into a fixed number of dimensions, L2-normalised).
 * It finds texts that share words and word parts, which is what full-text search misses on
 * inflections and typos; real semantic models come through an OpenAI-compatible `/embeddings`
 * endpoint.
 */
export interface Embedder {
  /** The model's name as stored with the vectors: another name means other vectors. */
  readonly model: string;
  readonly dimensions: number;
  /** One unit-length (or all-zero, for a text with no words) vector per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export const HASHING_EMBEDDER_MODEL = BUILTIN_EMBEDDING_MODEL;

/** Words too common to tell texts apart: counted, they make every English text look alike. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have he her his how i if in into is it its me my no not of on or our she so such than that the their them then there these ' +
    'they this to was we were what when where which who why will with you your do does did can could would should about after before over under up down out all any each'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
/**
 * n-gram lengths over "␣word␣": long enough to carry meaning, short enough to survive inflection.
 * Every feature (a word, each of its n-grams) weighs the same, as in fastText's subword vectors.
 */
const NGRAMS = [3, 4, 5] as const;

export class HashingEmbedder implements Embedder {
  readonly model = HASHING_EMBEDDER_MODEL;

  constructor(readonly dimensions: number) {
    if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 4096) throw new RangeError('dimensions must be an integer from 16 to 4096');
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    for (const word of text.normalize('NFKC').toLowerCase().match(WORD) ?? []) {
      if (STOP_WORDS.has(word)) continue;
      this.add(vector, `w:${word}`);
      const padded = ` ${word} `;
      for (const n of NGRAMS) {
        for (let i = 0; i + n <= padded.length; i++) this.add(vector, padded.slice(i, i + n));
      }
    }
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < vector.length; i++) vector[i] *= scale;
    }
    return vector;
  }

  /** Signed hashing: the sign comes from other bits of the hash, so collisions cancel out on average. */
  private add(vector: Float32Array, feature: string): void {
    const hash = fnv1a(feature);
    const mixed = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
    vector[hash % this.dimensions] += (mixed & 0x80000000) === 0 ? 1 : -1;
  }
}

/** FNV-1a, 32 bits, over UTF-16 code units: fixed forever, since stored vectors depend on it. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Vectors as stored in a row: float32, little-endian, back to back. */
export function vectorToBytes(vector: Float32Array): Buffer {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  return bytes;
}

export function bytesToVector(bytes: Uint8Array, into?: Float32Array, offset = 0): Float32Array {
  const count = bytes.byteLength / 4;
  const target = into ?? new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) target[offset + i] = view.getFloat32(i * 4, true);
  return target;
}

/** Where an OpenAI-compatible embeddings endpoint is, with the key resolved for the caller (never logged). */
export interface EmbeddingEndpoint {
  provider: string;
  baseUrl: string;
  model: string;
  dimensions: number;
  /** Ask the model for this many dimensions (OpenAI's text-embedding-3 models shorten their vectors); others are only checked. */
  sendDimensions: boolean;
  timeoutMs?: number;
}

const DEFAULT_EMBEDDING_TIMEOUT_MS = 60_000;

/**
 * Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM,
 * LM Studio, Together...). Failures become ModelProviderError with the provider's words, the key
 * scrubbed; a vector of another length than the base's is refused as an invalid answer.
 */
export class OpenAiCompatibleEmbedder implements Embedder {
  readonly #apiKey: string | undefined;
  readonly model: string;
  readonly dimensions: number;

  constructor(
    private readonly endpoint: EmbeddingEndpoint,
    apiKey: string | undefined,
  ) {
    this.#apiKey = apiKey;
    this.model = endpoint.model;
    this.dimensions = endpoint.dimensions;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { provider, baseUrl, model, dimensions } = this.endpoint;
    const timeout = AbortSignal.timeout(this.endpoint.timeoutMs ?? DEFAULT_EMBEDDING_TIMEOUT_MS);
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(`${baseUrl}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}) },
        body: JSON.stringify({ model, input: texts, encoding_format: 'float', ...(this.endpoint.sendDimensions ? { dimensions } : {}) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      body = await response.json().catch(() => undefined);
    } catch (err) {
      throw toModelProviderError(timeout.aborted ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : err, { provider, secrets: [this.#apiKey], signal });
    }
    if (!response.ok) {
      const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
      throw toModelProviderError({ status: response.status, message: typeof message === 'string' ? message : `HTTP ${response.status}` }, { provider, secrets: [this.#apiKey] });
    }
    const data = (body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new ModelProviderError(provider, 'invalid_response', `the embeddings endpoint of ${provider} answered ${Array.isArray(data) ? data.length : 'no'} vectors for ${texts.length} texts`);
    }
    const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
    for (const [position, item] of data.entries()) {
      const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
      const at = typeof index === 'number' ? index : position;
      if (!Array.isArray(embedding) || embedding.length !== dimensions || !embedding.every((v) => typeof v === 'number' && Number.isFinite(v)) || at < 0 || at >= texts.length) {
        const length = Array.isArray(embedding) ? embedding.length : 0;
        throw new ModelProviderError(provider, 'invalid_response', `the model ${model} answered vectors of ${length} dimensions; the knowledge base expects ${dimensions}`);
      }
      vectors[at] = Float32Array.from(embedding as number[]);
    }
    return vectors;
  }
}
