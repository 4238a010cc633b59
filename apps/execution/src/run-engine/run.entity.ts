import { Check, Column, Entity, Index } from 'typeorm';
import type { RunErrorInfo, RunKind, RunStatus } from '#contracts';
import { BaseEntity, bigintNumber } from '#persistence';

/** Bounds a run carries from its agent's configuration (capped by the operator). */
export interface RunLimits {
  maxSteps?: number;
  maxTokens?: number;
  /** Wall-clock limit from the first claim; the operator's cap applies. */
  timeoutMs?: number;
  budgetMicros?: number;
}

export interface RunUsage {
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

/** A run's totals: its completed steps' sums, or what its executor reported. */
export class RunUsageColumns implements RunUsage {
  @Column('bigint', { default: 0, transformer: bigintNumber })
  promptTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  completionTokens: number;

  @Column('bigint', { default: 0, transformer: bigintNumber })
  costMicros: number;
}

/**
 * A run of an agent or a workflow, which is also the work queue: pending rows are claimed with
 * SKIP LOCKED under a lease (lease_owner, lease_expires_at) that the holder's heartbeat extends.
 */
@Entity({ schema: 'execution', name: 'runs' })
@Check('runs_status_ck', `"status" IN ('pending', 'running', 'requires_action', 'completed', 'failed', 'cancelled', 'expired')`)
@Check('runs_kind_ck', `"kind" IN ('agent', 'workflow')`)
@Check(
  'runs_target_ck',
  `("kind" = 'agent' AND "agent_id" IS NOT NULL AND "agent_version" IS NOT NULL AND "workflow_id" IS NULL AND "workflow_version" IS NULL)
   OR ("kind" = 'workflow' AND "workflow_id" IS NOT NULL AND "workflow_version" IS NOT NULL AND "agent_id" IS NULL AND "agent_version" IS NULL)`,
)
// A running run always has a holder; nothing else has one, so a stale lease cannot linger.
@Check('runs_lease_ck', `("status" = 'running') = ("lease_owner" IS NOT NULL AND "lease_expires_at" IS NOT NULL)`)
@Check(
  'runs_counters_ck',
  `"attempt" >= 0 AND "failure_count" >= 0 AND "timeout_ms" > 0 AND "prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0`,
)
@Check('runs_idempotency_key_ck', `char_length("idempotency_key") BETWEEN 1 AND 255`)
@Index('runs_owner_id_idempotency_key_uq', ['ownerId', 'idempotencyKey'], { unique: true, where: `"idempotency_key" IS NOT NULL` })
// The claim query reads two small partial indexes: runs waiting their turn, and leases to take over.
@Index('runs_claim_pending_idx', ['availableAt'], { where: `"status" = 'pending'` })
@Index('runs_claim_lease_idx', ['leaseExpiresAt'], { where: `"status" = 'running'` })
// The migration orders created_at and id DESC (the list's order); TypeORM indexes carry no column order.
@Index('runs_owner_created_idx', ['ownerId', 'createdAt', 'id'])
// What the events' (run, owner) foreign key refers to (row-level security).
@Index('runs_id_owner_uq', ['id', 'ownerId'], { unique: true })
@Index('runs_conversation_id_idx', ['conversationId', 'createdAt'], { where: `"conversation_id" IS NOT NULL` })
@Index('runs_agent_id_idx', ['agentId'], { where: `"agent_id" IS NOT NULL` })
// Active runs per owner (the concurrency cap) and per conversation (one writer per branch).
@Index('runs_owner_active_idx', ['ownerId'], { where: `"status" IN ('pending', 'running')` })
@Index('runs_conversation_active_idx', ['conversationId', 'createdAt'], {
  where: `"conversation_id" IS NOT NULL AND "status" IN ('pending', 'running', 'requires_action')`,
})
export class RunEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('text')
  kind: RunKind;

  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('integer', { nullable: true })
  agentVersion: number | null;

  @Column('uuid', { nullable: true })
  workflowId: string | null;

  @Column('integer', { nullable: true })
  workflowVersion: number | null;

  @Column('uuid', { nullable: true })
  conversationId: string | null;

  @Column('uuid', { nullable: true })
  sessionId: string | null;

  @Column('text', { default: 'pending' })
  status: RunStatus;

  @Column('jsonb', { default: {} })
  input: unknown;

  @Column('jsonb', { nullable: true })
  output: unknown;

  /** True when the run ended (cancelled, expired, failed) before its answer was whole. */
  @Column('boolean', { default: false })
  outputPartial: boolean;

  @Column('jsonb', { nullable: true })
  requiredAction: unknown;

  @Column('jsonb', { nullable: true })
  error: RunErrorInfo | null;

  @Column('jsonb', { nullable: true })
  lastError: RunErrorInfo | null;

  @Column('text', { nullable: true })
  traceId: string | null;

  /** The W3C traceparent of the span that queued the run: its worker's spans continue that trace. */
  @Column('text', { nullable: true })
  traceParent: string | null;

  @Column(() => RunUsageColumns, { prefix: false })
  usage: RunUsageColumns;

  @Column('jsonb', { default: {} })
  limits: RunLimits;

  @Column('integer')
  timeoutMs: number;

  /** Fixed by the first claim: started_at plus the wall-clock limit. */
  @Column('timestamptz', { nullable: true })
  deadlineAt: Date | null;

  @Column('text', { nullable: true })
  idempotencyKey: string | null;

  @Column('text', { nullable: true })
  leaseOwner: string | null;

  @Column('timestamptz', { nullable: true })
  leaseExpiresAt: Date | null;

  @Column('integer', { default: 0 })
  attempt: number;

  @Column('integer', { default: 0 })
  failureCount: number;

  /** A pending run is not claimed before this (a retry's pause). */
  @Column('timestamptz', { default: () => 'now()' })
  availableAt: Date;

  @Column('timestamptz', { nullable: true })
  cancelRequestedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  completedAt: Date | null;

  /** Nobody waits on the answer: its end is announced as a notification. */
  @Column('boolean', { default: false })
  background: boolean;

  /** The worker that holds, in memory only, a key sent with the request: only it may run the run. */
  @Column('text', { nullable: true })
  keyHolder: string | null;

  /** The pinned agent version as resolved when the run was queued (null for runs queued before it was kept). */
  @Column('jsonb', { nullable: true })
  agentSnapshot: unknown;

  /** The pinned workflow version (its definition) as resolved when the run was queued: workers never ask the workflow service. */
  @Column('jsonb', { nullable: true })
  workflowSnapshot: unknown;

  /** Called when the run ends (a signed POST, retried with backoff); checked against the outbound policy when the run was started. */
  @Column('text', { nullable: true })
  webhookUrl: string | null;
}
