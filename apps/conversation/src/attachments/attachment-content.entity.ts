import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/**
 * An attachment's bytes, beside its row rather than in it, so listing attachments never reads
 * them. In PostgreSQL, so every replica reads the same bytes and a restart loses none.
 */
@Entity({ schema: 'conversation', name: 'attachment_contents' })
export class AttachmentContentEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'attachment_contents_pkey' })
  @ForeignKey('attachments', { name: 'attachment_contents_attachment_id_fkey', onDelete: 'CASCADE' })
  attachmentId: string;

  @Column('bytea')
  bytes: Buffer;
}
