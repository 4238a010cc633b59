import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'conversation', name: 'attachments' })
export class AttachmentEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('uuid')
  conversationId: string;

  @Column('uuid', { nullable: true })
  messageId: string | null;

  @Column('text')
  filename: string;

  @Column('text')
  contentType: string;

  @Column('integer')
  sizeBytes: number;

  @Column('text')
  sha256: string;

  /** Where the bytes are in the attachment storage; never shown to clients. */
  @Column('text')
  storageKey: string;
}
