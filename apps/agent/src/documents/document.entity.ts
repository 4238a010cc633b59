import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import type { DocumentSource, DocumentStatus } from '#contracts';
import { BaseEntity } from '#persistence';

/**
 * A document of a knowledge base with its extracted text (kept, so that ingestion can resume or be
 * redone without the original file). The row is also the ingestion queue: a worker claims a
 * pending document (or one whose worker's lease ran out) with a lease, SKIP LOCKED.
 */
@Entity({ schema: 'agent', name: 'documents' })
@Check('documents_status_ck', `"status" IN ('pending', 'processing', 'ready', 'failed')`)
@Unique('documents_knowledge_base_id_content_hash_uq', ['knowledgeBaseId', 'contentHash'])
@Index('documents_knowledge_base_id_id_idx', ['knowledgeBaseId', 'id'])
@Index('documents_work_idx', ['id'], { where: `"status" IN ('pending', 'processing')` })
export class DocumentEntity extends BaseEntity {
  // The table is named rather than its entity imported: features meet through services.
  @Column('uuid')
  @ForeignKey('knowledge_bases', { name: 'documents_knowledge_base_id_fkey', onDelete: 'CASCADE' })
  knowledgeBaseId: string;

  @Column('uuid')
  ownerId: string;

  @Column('text')
  title: string;

  @Column('text')
  source: DocumentSource;

  @Column('text')
  contentType: string;

  @Column('text', { nullable: true })
  sourceRef: string | null;

  @Column('text')
  content: string;

  @Column('text')
  contentHash: string;

  @Column('jsonb', { default: () => `'{}'` })
  metadata: Record<string, unknown>;

  @Column('integer')
  sizeBytes: number;

  @Column('text', { default: 'pending' })
  status: DocumentStatus;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('integer', { default: 0 })
  chunksTotal: number;

  @Column('integer', { default: 0 })
  chunksDone: number;

  /** Failed attempts so far; a document that keeps failing stops being retried. */
  @Column('integer', { default: 0 })
  attempts: number;

  @Column('text', { nullable: true })
  leaseOwner: string | null;

  @Column('timestamptz', { nullable: true })
  leaseExpiresAt: Date | null;
}
