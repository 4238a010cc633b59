import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

/** The rolling summary a run wrote for a conversation, covering its branch up to one message. */
@Entity({ schema: 'conversation', name: 'summaries' })
export class SummaryEntity extends BaseEntity {
  @Column('uuid')
  conversationId: string;

  @Column('uuid')
  throughMessageId: string;

  @Column('text')
  content: string;
}
