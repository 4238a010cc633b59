import { Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

/**
 * One chunk's vector for one embedding generation of its base, as float32 little-endian bytes.
 * While a base is re-embedded a chunk has two: search reads the old generation's until the new
 * one is complete. (chunk_id, generation) makes a repeated batch write nothing twice.
 */
@Entity({ schema: 'agent', name: 'chunk_embeddings' })
@Unique('chunk_embeddings_chunk_id_generation_uq', ['chunkId', 'generation'])
@Index('chunk_embeddings_knowledge_base_id_generation_idx', ['knowledgeBaseId', 'generation'])
export class ChunkEmbeddingEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('chunks', { name: 'chunk_embeddings_chunk_id_fkey', onDelete: 'CASCADE' })
  chunkId: string;

  @Column('uuid')
  knowledgeBaseId: string;

  @Column('integer')
  generation: number;

  @Column('bytea')
  vector: Buffer;
}
