import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'conversation', name: 'conversations' })
export class ConversationEntity extends BaseEntity {
  /** A user of the identity service; no foreign key across schemas (user.deleted cleans up). */
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('uuid', { nullable: true })
  workflowId: string | null;

  @Column('uuid', { nullable: true })
  projectId: string | null;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('uuid', { nullable: true })
  sessionId: string | null;

  @Column('jsonb')
  sessionContext: Record<string, unknown>;

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column('boolean')
  isArchived: boolean;

  @Column('uuid', { nullable: true })
  currentLeafId: string | null;

  @Column('timestamptz', { nullable: true })
  lastMessageAt: Date | null;

  @Column('integer')
  messageCount: number;

  @Column('bigint')
  promptTokens: number;

  @Column('bigint')
  completionTokens: number;

  @Column('bigint')
  totalTokens: number;

  @Column('bigint')
  costMicros: number;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
