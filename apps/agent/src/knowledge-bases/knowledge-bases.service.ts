import { Injectable } from '@nestjs/common';
import {
  type Actor,
  BUILTIN_EMBEDDING_MODEL,
  type CreateKnowledgeBaseRequest,
  type EmbeddingSettings,
  type FindOwnedKnowledgeBasesRequest,
  type KnowledgeBaseFields,
  type KnowledgeBaseList,
  type KnowledgeBaseView,
  type ListKnowledgeBasesQuery,
  type OwnedKnowledgeBases,
  type UpdateKnowledgeBaseRequest,
  requireUserId,
} from '#contracts';
import { ActingUser, Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { ChunksService } from '../chunks/chunks.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { KnowledgeBaseEntity } from './knowledge-base.entity.js';
import { toKnowledgeBaseView } from './knowledge-base.mapper.js';
import { KnowledgeBasesErrors } from './knowledge-bases.errors.js';
import { KnowledgeBasesRepository } from './knowledge-bases.repository.js';

export type { KnowledgeBaseEntity } from './knowledge-base.entity.js';

const DEFAULT_EMBEDDING: EmbeddingSettings = { provider: 'builtin', model: BUILTIN_EMBEDDING_MODEL, dimensions: 384 };
const DEFAULT_CHUNKING = { size: 1000, overlap: 150 } as const;
const DEFAULT_LIMIT = 20;
const NULLABLE = new Set(['description', 'projectId']);

/** The embedding model of one generation of a base's vectors. */
export interface EmbeddingConfig {
  provider: KnowledgeBaseEntity['embeddingProvider'];
  model: string;
  dimensions: number;
  generation: number;
}

@Injectable()
export class KnowledgeBasesService {
  private readonly indexListeners = new Set<(knowledgeBaseId: string) => void>();
  private readonly workListeners = new Set<() => void>();

  constructor(
    private readonly bases: KnowledgeBasesRepository,
    private readonly chunks: ChunksService,
    private readonly projects: ProjectsService,
    private readonly database: Database,
  ) {}

  /** Hears the id of every base whose searchable vectors changed, once the change committed. */
  onIndexChanged(listener: (knowledgeBaseId: string) => void): () => void {
    this.indexListeners.add(listener);
    return () => this.indexListeners.delete(listener);
  }

  /** Hears that ingestion work was added (a document, a change of model), once committed. */
  onWork(listener: () => void): () => void {
    this.workListeners.add(listener);
    return () => this.workListeners.delete(listener);
  }

  async create(actor: Actor, request: CreateKnowledgeBaseRequest): Promise<KnowledgeBaseView> {
    const ownerId = requireUserId(actor);
    refuseNulls(request);
    if (request.name === undefined) throw KnowledgeBasesErrors.nameRequired();
    if (request.projectId) await this.projects.assertOwned(actor, request.projectId);
    const embedding = checkEmbedding(request.embedding ?? DEFAULT_EMBEDDING);
    const chunking = checkChunking({ ...DEFAULT_CHUNKING, ...definedOnly(request.chunking ?? {}) });
    const base = Object.assign(new KnowledgeBaseEntity(), {
      id: newId(),
      ownerId,
      projectId: request.projectId ?? null,
      name: request.name,
      description: request.description ?? null,
      embeddingProvider: embedding.provider,
      embeddingModel: embedding.model,
      embeddingDimensions: embedding.dimensions,
      embeddingGeneration: 1,
      searchProvider: embedding.provider,
      searchModel: embedding.model,
      searchDimensions: embedding.dimensions,
      searchGeneration: 1,
      chunkSize: chunking.size,
      chunkOverlap: chunking.overlap,
      indexVersion: 0,
      leaseOwner: null,
      leaseExpiresAt: null,
    } satisfies Omit<KnowledgeBaseEntity, 'createdAt' | 'updatedAt' | 'assignId'>);
    return this.view(await this.bases.insert(base));
  }

  async list(actor: Actor, query: ListKnowledgeBasesQuery): Promise<KnowledgeBaseList> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.bases.list({
      ownerId: requireUserId(actor),
      projectId: query.projectId,
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    const page = pageOf(rows, limit, (base) => base, (base) => encodeCursor({ id: base.id }));
    return { items: await Promise.all(page.items.map((base) => this.view(base))), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: string): Promise<KnowledgeBaseView> {
    return this.view(await this.requireOwned(requireUserId(actor), id));
  }

  /**
   * A change of embedding model (provider, model or dimensions) starts a new generation: the
   * worker re-embeds every chunk with it while search keeps answering from the old vectors.
   */
  async update(actor: Actor, request: UpdateKnowledgeBaseRequest): Promise<KnowledgeBaseView> {
    const ownerId = requireUserId(actor);
    refuseNulls(request);
    if (request.projectId) await this.projects.assertOwned(actor, request.projectId);
    const saved = await this.database.transaction(async () => {
      const base = await this.bases.lockOwned(ownerId, request.id);
      if (!base) throw KnowledgeBasesErrors.notFound();
      if (request.name !== undefined) base.name = request.name;
      if (request.description !== undefined) base.description = request.description;
      if (request.projectId !== undefined) base.projectId = request.projectId;
      if (request.chunking) {
        const chunking = checkChunking({ size: base.chunkSize, overlap: base.chunkOverlap, ...definedOnly(request.chunking) });
        base.chunkSize = chunking.size;
        base.chunkOverlap = chunking.overlap;
      }
      if (request.embedding) {
        const next = checkEmbedding(request.embedding);
        if (next.provider !== base.embeddingProvider || next.model !== base.embeddingModel || next.dimensions !== base.embeddingDimensions) {
          base.embeddingProvider = next.provider;
          base.embeddingModel = next.model;
          base.embeddingDimensions = next.dimensions;
          base.embeddingGeneration += 1;
          this.announceWork();
        }
      }
      await this.bases.save(base);
      return base;
    });
    return this.view(saved);
  }

  /** The base goes with its documents, chunks and vectors. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.database.transaction(async () => {
      const base = await this.bases.lockOwned(ownerId, id);
      if (!base) throw KnowledgeBasesErrors.notFound();
      await this.bases.delete(base.id);
      this.announceIndexChange(base.id);
    });
  }

  /** For the bus: services ask for any owner, a user only for themselves. */
  findOwnedFor(actor: Actor, request: FindOwnedKnowledgeBasesRequest): Promise<OwnedKnowledgeBases> {
    if (actor.kind !== 'service' && requireUserId(actor) !== request.ownerId) throw KnowledgeBasesErrors.notYours();
    return ActingUser.run(request.ownerId, () => this.findOwned(request.ownerId, request.ids));
  }

  /** Which of the ids are knowledge bases of the owner (what savers of agents and workflows ask). */
  async findOwned(ownerId: string, ids: string[]): Promise<OwnedKnowledgeBases> {
    if (ids.length === 0) return { found: [] };
    const owned = new Set((await this.bases.findOwnedMany(ownerId, [...new Set(ids)])).map((base) => base.id));
    return { found: ids.filter((id) => owned.has(id)) };
  }

  /** The owner's base, else NOT_FOUND (also for another user's). */
  async requireOwned(ownerId: string, id: string): Promise<KnowledgeBaseEntity> {
    const base = await this.bases.findOwned(ownerId, id);
    if (!base) throw KnowledgeBasesErrors.notFound();
    return base;
  }

  /** Every one of the owner's bases named, in the order named, else NOT_FOUND. */
  async requireOwnedMany(ownerId: string, ids: string[]): Promise<KnowledgeBaseEntity[]> {
    const unique = [...new Set(ids)];
    const found = new Map((await this.bases.findOwnedMany(ownerId, unique)).map((base) => [base.id, base]));
    return unique.map((id) => {
      const base = found.get(id);
      if (!base) throw KnowledgeBasesErrors.notFound();
      return base;
    });
  }

  findById(id: string): Promise<KnowledgeBaseEntity | null> {
    return this.bases.findById(id);
  }

  /** A step: the searchable vectors of the base changed (in the caller's transaction). */
  async indexChanged(id: string): Promise<void> {
    await this.bases.bumpIndexVersion(id);
    this.announceIndexChange(id);
  }

  /** A step of the caller's transaction: the base, locked. */
  lock(id: string): Promise<KnowledgeBaseEntity | null> {
    return this.bases.lock(id);
  }

  save(base: KnowledgeBaseEntity): Promise<void> {
    return this.bases.save(base);
  }

  claimReembedding(worker: string, leaseSeconds: number): Promise<KnowledgeBaseEntity | null> {
    return this.bases.claimReembedding(worker, leaseSeconds);
  }

  extendLease(id: string, worker: string, leaseSeconds: number): Promise<boolean> {
    return this.bases.extendLease(id, worker, leaseSeconds);
  }

  /** Account deletion, in the caller's transaction: every base of the user goes, with everything in it. */
  async deleteAllOf(ownerId: string): Promise<void> {
    for (const id of await this.bases.deleteWhere(ownerId)) this.announceIndexChange(id);
  }

  /** A deleted project takes its knowledge bases with it. */
  async deleteProject(ownerId: string, projectId: string): Promise<void> {
    for (const id of await this.bases.deleteWhere(ownerId, projectId)) this.announceIndexChange(id);
  }

  private async view(base: KnowledgeBaseEntity): Promise<KnowledgeBaseView> {
    const reembedding = base.searchGeneration < base.embeddingGeneration ? await this.chunks.progress({ knowledgeBaseId: base.id }, base.embeddingGeneration) : null;
    return toKnowledgeBaseView(base, reembedding);
  }

  private announceIndexChange(id: string): void {
    this.database.afterCommit(() => {
      for (const listener of this.indexListeners) listener(id);
    });
  }

  announceWork(): void {
    this.database.afterCommit(() => {
      for (const listener of this.workListeners) listener();
    });
  }
}

/** The configured and the searched model of a base. */
export function embeddingConfigs(base: KnowledgeBaseEntity): { target: EmbeddingConfig; search: EmbeddingConfig } {
  return {
    target: { provider: base.embeddingProvider, model: base.embeddingModel, dimensions: base.embeddingDimensions, generation: base.embeddingGeneration },
    search: { provider: base.searchProvider, model: base.searchModel, dimensions: base.searchDimensions, generation: base.searchGeneration },
  };
}

function checkEmbedding(settings: EmbeddingSettings): EmbeddingSettings {
  if (settings.provider === 'builtin' && settings.model !== BUILTIN_EMBEDDING_MODEL) throw KnowledgeBasesErrors.unknownBuiltinModel(settings.model);
  return settings;
}

function checkChunking(chunking: { size: number; overlap: number }): { size: number; overlap: number } {
  if (chunking.overlap * 2 >= chunking.size) throw KnowledgeBasesErrors.overlapTooLarge();
  return chunking;
}

function refuseNulls(fields: KnowledgeBaseFields): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null && !NULLABLE.has(key)) throw KnowledgeBasesErrors.notNull(key);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
