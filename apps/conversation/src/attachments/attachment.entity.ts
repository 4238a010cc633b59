import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'conversation', name: 'attachments' })
@Check('attachments_size_bytes_ck', `"size_bytes" >= 0`)
@Check('attachments_sha256_ck', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Index('attachments_conversation_id_idx', ['conversationId'])
@Index('attachments_owner_id_idx', ['ownerId'])
export class AttachmentEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  // Tables are named rather than their entities imported: features meet through services.
  @Column('uuid')
  @ForeignKey('conversations', { name: 'attachments_conversation_id_fkey', onDelete: 'CASCADE' })
  conversationId: string;

  @Column('uuid', { nullable: true })
  @ForeignKey('messages', { name: 'attachments_message_id_fkey', onDelete: 'SET NULL' })
  messageId: string | null;

  @Column('text')
  filename: string;

  @Column('text')
  contentType: string;

  @Column('integer')
  sizeBytes: number;

  @Column('text')
  sha256: string;
}
