import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { BaseEntity, bigintNumber } from '#persistence';

@Entity({ schema: 'conversation', name: 'conversations' })
@Unique('conversations_owner_id_session_id_uq', ['ownerId', 'sessionId'])
@Check('conversations_one_target_ck', `("agent_id" IS NULL) <> ("workflow_id" IS NULL)`)
@Check('conversations_totals_ck', `"message_count" >= 0 AND "total_tokens" >= 0 AND "cost_micros" >= 0`)
// ("owner_id", (COALESCE("last_message_at", "created_at")) DESC, "id" DESC) WHERE "deleted_at" IS NULL:
// lists sort by an expression, which TypeORM cannot describe, so it leaves this index to the migration.
@Index('conversations_owner_activity_idx', { synchronize: false })
@Index('conversations_agent_id_idx', ['agentId'], { where: `"agent_id" IS NOT NULL` })
@Index('conversations_deleted_at_idx', ['deletedAt'], { where: `"deleted_at" IS NOT NULL` })
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

  @Column('jsonb', { default: {} })
  sessionContext: Record<string, unknown>;

  @Column('jsonb', { default: {} })
  metadata: Record<string, unknown>;

  @Column('boolean', { default: false })
  isArchived: boolean;

  @Column('uuid', { nullable: true })
  currentLeafId: string | null;

  @Column('timestamptz', { nullable: true })
  lastMessageAt: Date | null;

  @Column('integer', { default: 0 })
  messageCount: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  promptTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  completionTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  totalTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  costMicros: number;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
