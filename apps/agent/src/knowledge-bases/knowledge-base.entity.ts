import { Check, Column, Entity, Index } from 'typeorm';
import type { EmbeddingProvider } from '#contracts';
import { BaseEntity } from '#persistence';

/**
 * A user's knowledge base. Two embedding models may be in play at once: the configured one
 * (`embedding_*`, generation `embedding_generation`), which new vectors are made with, and the one
 * search answers from (`search_*`, `search_generation`). They differ only while a change of model
 * re-embeds the base; when the last chunk has its new vector the search side moves over.
 */
@Entity({ schema: 'agent', name: 'knowledge_bases' })
@Check('knowledge_bases_generation_ck', `"search_generation" <= "embedding_generation"`)
@Check('knowledge_bases_chunking_ck', `"chunk_overlap" >= 0 AND "chunk_overlap" * 2 < "chunk_size"`)
// Lists page by id (time-ordered) within one owner; the migration orders "id" DESC, which @Index cannot say.
@Index('knowledge_bases_owner_id_id_idx', ['ownerId', 'id'])
@Index('knowledge_bases_project_id_idx', ['projectId'], { where: '"project_id" IS NOT NULL' })
@Index('knowledge_bases_reembed_idx', ['id'], { where: '"search_generation" < "embedding_generation"' })
export class KnowledgeBaseEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  projectId: string | null;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text')
  embeddingProvider: EmbeddingProvider;

  @Column('text')
  embeddingModel: string;

  @Column('integer')
  embeddingDimensions: number;

  /** Goes up by one with every change of model: vectors are stored per generation. */
  @Column('integer', { default: 1 })
  embeddingGeneration: number;

  @Column('text')
  searchProvider: EmbeddingProvider;

  @Column('text')
  searchModel: string;

  @Column('integer')
  searchDimensions: number;

  @Column('integer', { default: 1 })
  searchGeneration: number;

  @Column('integer')
  chunkSize: number;

  @Column('integer')
  chunkOverlap: number;

  /**
   * Goes up whenever the set of searchable vectors changes (a document ready or deleted, a new
   * generation searched): replicas compare it with what they cached, so a missed broadcast never
   * serves stale vectors.
   */
  @Column('integer', { default: 0 })
  indexVersion: number;

  /** The worker re-embedding this base, while it holds the lease. */
  @Column('text', { nullable: true })
  leaseOwner: string | null;

  @Column('timestamptz', { nullable: true })
  leaseExpiresAt: Date | null;
}
