import { Column, Entity, ForeignKey, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

/** The rolling summary a run wrote for a conversation, covering its branch up to one message. */
@Entity({ schema: 'conversation', name: 'summaries' })
@Unique('summaries_conversation_id_uq', ['conversationId'])
export class SummaryEntity extends BaseEntity {
  // Tables are named rather than their entities imported: features meet through services.
  @Column('uuid')
  @ForeignKey('conversations', { name: 'summaries_conversation_id_fkey', onDelete: 'CASCADE' })
  conversationId: string;

  @Column('uuid')
  @ForeignKey('messages', { name: 'summaries_through_message_id_fkey', onDelete: 'CASCADE' })
  throughMessageId: string;

  @Column('text')
  content: string;
}
