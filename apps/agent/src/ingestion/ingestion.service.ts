import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { AgentConfig } from '#config';
import { AppError, ErrorCode } from '#contracts';
import { type Embedder, ModelProviderError, vectorToBytes } from '#llm';
import { describeError, rootLogger } from '#observability';
import { Database } from '#persistence';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { ChunksService } from '../chunks/chunks.service.js';
import { type DocumentEntity, DocumentsService } from '../documents/documents.service.js';
import { EmbeddingsService } from '../embeddings/embeddings.service.js';
import { type EmbeddingConfig, embeddingConfigs, type KnowledgeBaseEntity, KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';

/** Attempts of one document before it is marked failed (a worker that died mid-way does not count). */
const MAX_ATTEMPTS = 3;
/** Tries of one embedding batch against transient provider errors, with backoff between them. */
const BATCH_TRIES = 3;

/** The worker lost its claim (its lease ran out and another worker took over): stop quietly. */
class LeaseLost extends Error {}

/**
 * Ingestion as durable background work. A document row is the queue entry: claimed with a lease,
 * split deterministically, its chunks written with (document, index) as the idempotency key, then
 * embedded batch by batch, each batch's vectors written with (chunk, generation) as the key. A
 * worker killed at any point leaves a lease that runs out; the next claim redoes the split (adding
 * nothing) and embeds only the chunks still without a vector. A change of model re-embeds a base
 * the same way, while search answers from the previous generation until the new one is complete.
 */
@Injectable()
export class IngestionService {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly log = rootLogger().child({ component: 'knowledge-ingestion' });
  private readonly lease: number;
  private readonly batch: number;

  constructor(
    private readonly documents: DocumentsService,
    private readonly bases: KnowledgeBasesService,
    private readonly chunks: ChunksService,
    private readonly embeddings: EmbeddingsService,
    private readonly database: Database,
    @Inject(AGENT_CONFIG) config: AgentConfig,
  ) {
    this.lease = config.knowledge.leaseSeconds;
    this.batch = config.knowledge.embedBatch;
  }

  /** Claims and ingests one document; false when there was none to do. */
  async ingestNext(signal?: AbortSignal): Promise<boolean> {
    const document = await this.documents.claimNext(this.workerId, this.lease);
    if (!document) return false;
    try {
      await this.ingest(document, signal);
    } catch (err) {
      if (err instanceof LeaseLost) return true;
      const attempts = document.attempts + 1;
      const final = attempts >= MAX_ATTEMPTS || !isTransient(err);
      const reason = failureReason(err);
      this.log.warn({ documentId: document.id, attempts, final, ...describeError(err) }, 'a document could not be ingested');
      await this.documents.finish(document.id, this.workerId, { status: final ? 'failed' : 'pending', error: reason, attempts });
    }
    return true;
  }

  /** Claims a base whose model changed and embeds all of it with the new model; false when there was none. */
  async reembedNext(signal?: AbortSignal): Promise<boolean> {
    const base = await this.bases.claimReembedding(this.workerId, this.lease);
    if (!base) return false;
    const { target } = embeddingConfigs(base);
    const embedder = this.embedderOf(base, target);
    try {
      for (;;) {
        signal?.throwIfAborted();
        const missing = await this.chunks.missingEmbeddings({ knowledgeBaseId: base.id }, target.generation, this.batch);
        if (missing.length === 0) break;
        await this.embedBatch(base.id, target.generation, embedder, missing, signal);
        if (!(await this.bases.extendLease(base.id, this.workerId, this.lease))) return true;
      }
      await this.database.transaction(async () => {
        const locked = await this.bases.lock(base.id);
        // Deleted, or its model changed again meanwhile: the next claim starts the newer generation.
        if (!locked || locked.embeddingGeneration !== target.generation || locked.leaseOwner !== this.workerId) return;
        const left = await this.chunks.missingEmbeddings({ knowledgeBaseId: base.id }, target.generation, 1);
        if (left.length > 0) return;
        locked.searchProvider = locked.embeddingProvider;
        locked.searchModel = locked.embeddingModel;
        locked.searchDimensions = locked.embeddingDimensions;
        locked.searchGeneration = locked.embeddingGeneration;
        locked.leaseOwner = null;
        locked.leaseExpiresAt = null;
        await this.bases.save(locked);
        await this.chunks.deleteEmbeddingsBefore(base.id, target.generation);
        await this.bases.indexChanged(base.id);
      });
    } catch (err) {
      if (signal?.aborted) return true;
      // The lease runs out and another attempt starts from the chunks still to do.
      this.log.warn({ knowledgeBaseId: base.id, ...describeError(err) }, 're-embedding a knowledge base failed; it will be retried');
    }
    return true;
  }

  private async ingest(document: DocumentEntity, signal?: AbortSignal): Promise<void> {
    const base = await this.bases.findById(document.knowledgeBaseId);
    if (!base) return; // deleted with its base meanwhile
    const pieces = await split(document, base);
    await this.chunks.insertChunks(document, pieces);
    const { target, search } = embeddingConfigs(base);
    // While the base is re-embedded, a new document needs vectors of both generations: the one
    // search answers from now and the one it moves to.
    const generations = target.generation === search.generation ? [target] : [search, target];
    for (const config of generations) {
      const embedder = this.embedderOf(base, config);
      for (;;) {
        signal?.throwIfAborted();
        const missing = await this.chunks.missingEmbeddings({ documentId: document.id }, config.generation, this.batch);
        if (missing.length === 0) break;
        await this.embedBatch(base.id, config.generation, embedder, missing, signal);
        const progress = await this.chunks.progress({ documentId: document.id }, target.generation);
        if (!(await this.documents.heartbeat(document.id, this.workerId, this.lease, progress))) throw new LeaseLost();
      }
    }
    const progress = await this.chunks.progress({ documentId: document.id }, target.generation);
    await this.database.transaction(async () => {
      if (!(await this.documents.heartbeat(document.id, this.workerId, this.lease, progress))) throw new LeaseLost();
      if (!(await this.documents.finish(document.id, this.workerId, { status: 'ready', error: null, attempts: document.attempts }))) throw new LeaseLost();
      await this.bases.indexChanged(base.id);
    });
  }

  private async embedBatch(knowledgeBaseId: string, generation: number, embedder: Embedder, chunks: Array<{ id: string; content: string }>, signal?: AbortSignal): Promise<void> {
    let vectors: Float32Array[] | undefined;
    for (let attempt = 1; !vectors; attempt++) {
      try {
        vectors = await embedder.embed(
          chunks.map((c) => c.content),
          signal,
        );
      } catch (err) {
        if (attempt >= BATCH_TRIES || !isTransient(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
    if (vectors.length !== chunks.length || vectors.some((v) => v.length !== embedder.dimensions)) {
      throw new ModelProviderError(embedder.model, 'invalid_response', `the embedding model answered ${vectors.length} vectors of the wrong size for ${chunks.length} texts`);
    }
    await this.chunks.insertEmbeddings(
      knowledgeBaseId,
      generation,
      chunks.map((chunk, i) => ({ chunkId: chunk.id, bytes: vectorToBytes(vectors[i]) })),
    );
  }

  private embedderOf(base: KnowledgeBaseEntity, config: EmbeddingConfig): Embedder {
    return this.embeddings.embedderFor({ provider: config.provider, model: config.model, dimensions: config.dimensions, ownerId: base.ownerId });
  }
}

/** The document's chunks: the same text and settings always give the same pieces in the same order. */
async function split(document: DocumentEntity, base: KnowledgeBaseEntity): Promise<string[]> {
  const options = { chunkSize: base.chunkSize, chunkOverlap: base.chunkOverlap };
  const splitter = document.source === 'markdown' ? RecursiveCharacterTextSplitter.fromLanguage('markdown', options) : new RecursiveCharacterTextSplitter(options);
  return (await splitter.splitText(document.content)).map((piece) => piece.trim()).filter((piece) => piece !== '');
}

/** Worth another try: a provider's rate limit or outage (also as relayed by the execution service), or the bus timing out. */
function isTransient(err: unknown): boolean {
  if (err instanceof ModelProviderError) return err.retryable;
  if (err instanceof AppError) return err.details?.retryable === true || err.code === ErrorCode.UNAVAILABLE || err.code === ErrorCode.UPSTREAM_TIMEOUT;
  return true;
}

/** What the document's status says: a provider's or our own message, never internals. */
function failureReason(err: unknown): string {
  if (err instanceof AppError) return err.message.slice(0, 500);
  return 'ingestion failed unexpectedly; see the agent service log';
}
