import { Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

/**
 * A piece of a document: what search finds. (document_id, chunk_index) is the idempotency key of
 * ingestion: a worker that resumes a document writes the same chunks again and adds none.
 */
@Entity({ schema: 'agent', name: 'chunks' })
@Unique('chunks_document_id_chunk_index_uq', ['documentId', 'chunkIndex'])
@Index('chunks_knowledge_base_id_idx', ['knowledgeBaseId'])
@Index('chunks_search_idx', ['search'], { type: 'gin' })
export class ChunkEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('documents', { name: 'chunks_document_id_fkey', onDelete: 'CASCADE' })
  documentId: string;

  /** Copied from the document so search filters by base and owner without a join. */
  @Column('uuid')
  knowledgeBaseId: string;

  @Column('uuid')
  ownerId: string;

  @Column('integer')
  chunkIndex: number;

  @Column('text')
  content: string;

  /** The document's metadata, inherited: what search filters match. */
  @Column('jsonb', { default: () => `'{}'` })
  metadata: Record<string, unknown>;

  /** to_tsvector('english', content), written with the row. */
  @Column('tsvector', { select: false })
  search?: string;
}
