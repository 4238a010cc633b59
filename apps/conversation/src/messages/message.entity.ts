import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import type { MessageRole, TokenUsage, ToolCall } from '#contracts';
import { BaseEntity, bigintNumber } from '#persistence';

/** What messages.search is generated from; the TypeormMetadata migration records the same text. */
export const SEARCH_EXPRESSION = `to_tsvector('english', "content")`;

@Entity({ schema: 'conversation', name: 'messages' })
@Check('messages_role_ck', `"role" IN ('system', 'user', 'assistant', 'tool')`)
@Check('messages_run_step_ck', `("run_id" IS NULL) = ("step" IS NULL)`)
// A retried write of one run step finds its first write instead of adding a second message.
@Index('messages_run_id_step_uq', ['runId', 'step'], { unique: true, where: `"run_id" IS NOT NULL` })
// Walking up a branch follows the primary key; walking down (switch, delete) and the tree need these.
@Index('messages_parent_id_idx', ['parentId'])
@Index('messages_conversation_id_id_idx', ['conversationId', 'id'])
@Index('messages_search_idx', ['search'], { type: 'gin', where: `"deleted_at" IS NULL` })
@Index('messages_owner_id_idx', ['ownerId'])
@Index('messages_deleted_at_idx', ['deletedAt'], { where: `"deleted_at" IS NOT NULL` })
export class MessageEntity extends BaseEntity {
  // The conversations table is named rather than its entity imported: features meet through services.
  @Column('uuid')
  @ForeignKey('conversations', { name: 'messages_conversation_id_fkey', onDelete: 'CASCADE' })
  conversationId: string;

  /** Copied from the conversation so search filters by owner and agent without a join. */
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('uuid', { nullable: true })
  @ForeignKey('messages', { name: 'messages_parent_id_fkey', onDelete: 'CASCADE' })
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

  @Column('bigint', { default: 0, transformer: bigintNumber })
  costMicros: number;

  @Column('jsonb', { default: {} })
  metadata: Record<string, unknown>;

  /** The full-text vector of the content, made by the database; only search reads it. */
  @Column({ type: 'tsvector', nullable: true, generatedType: 'STORED', asExpression: SEARCH_EXPRESSION, select: false, insert: false, update: false })
  search?: string | null;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
