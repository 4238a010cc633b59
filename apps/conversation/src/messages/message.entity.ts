import { Column, Entity } from 'typeorm';
import type { MessageRole, TokenUsage, ToolCall } from '#contracts';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'conversation', name: 'messages' })
export class MessageEntity extends BaseEntity {
  @Column('uuid')
  conversationId: string;

  /** Copied from the conversation so search filters by owner and agent without a join. */
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('uuid', { nullable: true })
  parentId: string | null;

  @Column('text')
  role: MessageRole;

  @Column('text')
  content: string;

  @Column('jsonb', { nullable: true })
  toolCalls: ToolCall[] | null;

  @Column('text', { nullable: true })
  toolCallId: string | null;

  @Column('uuid', { nullable: true })
  runId: string | null;

  @Column('integer', { nullable: true })
  step: number | null;

  @Column('text', { nullable: true })
  model: string | null;

  @Column('jsonb', { nullable: true })
  tokenUsage: TokenUsage | null;

  @Column('bigint')
  costMicros: number;

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
