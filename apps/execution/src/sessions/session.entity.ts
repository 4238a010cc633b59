import { Check, Column, Entity, Index } from 'typeorm';
import type { SessionStatus } from '#contracts';
import { BaseEntity } from '#persistence';

export interface SessionErrorLog {
  runId: string;
  code: string;
  message: string;
  at: string;
}

/** An agent's session: one per conversation (kept across its runs), or a standalone run's own. */
@Entity({ schema: 'execution', name: 'sessions' })
@Check('sessions_status_ck', `"status" IN ('running', 'paused', 'completed', 'failed')`)
@Check('sessions_counts_ck', `"messages_count" >= 0 AND "run_count" >= 0`)
@Index('sessions_agent_id_conversation_id_uq', ['agentId', 'conversationId'], { unique: true, where: `"conversation_id" IS NOT NULL` })
@Index('sessions_owner_id_idx', ['ownerId'])
export class SessionEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('uuid')
  agentId: string;

  @Column('uuid', { nullable: true })
  conversationId: string | null;

  @Column('text', { default: 'running' })
  status: SessionStatus;

  @Column('jsonb', { default: {} })
  context: Record<string, unknown>;

  @Column('jsonb', { default: {} })
  variables: Record<string, string>;

  @Column('uuid', { nullable: true })
  templateId: string | null;

  @Column('integer', { nullable: true })
  templateVersion: number | null;

  @Column('integer', { default: 0 })
  messagesCount: number;

  @Column('integer', { default: 0 })
  runCount: number;

  /** Tool name -> calls over the session's finished runs. */
  @Column('jsonb', { default: {} })
  toolsUsed: Record<string, number>;

  /** The newest errors of its runs. */
  @Column('jsonb', { default: [] })
  errorLogs: SessionErrorLog[];

  @Column('timestamptz', { default: () => 'now()' })
  startedAt: Date;

  @Column('timestamptz', { default: () => 'now()' })
  lastActiveAt: Date;

  @Column('timestamptz', { nullable: true })
  completedAt: Date | null;
}
