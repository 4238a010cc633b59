import { Inject, Injectable } from '@nestjs/common';
import type { RunErrorInfo, RunKind, RunStatus, StepType } from '#contracts';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import type { Run, RunEvent, RunLimits, RunStep, RunUsage, StepStatus } from './run.types.js';

/** Who may write to a running run: the worker holding this attempt's lease. */
export interface Fence {
  runId: string;
  attempt: number;
  leaseOwner: string;
}

export interface NewRun {
  ownerId: string;
  kind: RunKind;
  agentId: string | null;
  agentVersion: number | null;
  workflowId: string | null;
  workflowVersion: number | null;
  conversationId: string | null;
  sessionId: string | null;
  input: unknown;
  limits: RunLimits;
  timeoutMs: number;
  idempotencyKey: string | null;
  traceId: string | null;
  background: boolean;
  keyHolder: string | null;
  agentSnapshot: unknown;
}

/** A row the claim query locked, before this worker decides what to do with it. */
export interface ClaimCandidate {
  id: string;
  status: RunStatus;
  attempt: number;
  failureCount: number;
  cancelRequested: boolean;
  pastDeadline: boolean;
  lastError: RunErrorInfo | null;
}

export interface FinishPatch {
  status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled' | 'expired' | 'requires_action'>;
  output?: unknown;
  outputPartial?: boolean;
  requiredAction?: unknown;
  error?: RunErrorInfo;
  /** Usage reported by the executor; otherwise the sum over the run's completed steps. */
  usage?: RunUsage;
}

const FENCE_CTE = `"fence" AS (
  SELECT "id" FROM "execution"."runs" WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running' FOR SHARE)`;

/** TypeORM answers an UPDATE or DELETE ... RETURNING on PostgreSQL with [rows, count]; anything else with the rows. */
export async function sql<T>(runner: Pick<EntityManager, 'query'>, text: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await runner.query(text, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** Plain SQL throughout: these statements are the queue's hot path and their exact shape is the point (locks, fences). */
@Injectable()
export class RunsRepository {
  constructor(@Inject(DATA_SOURCE) readonly dataSource: DataSource) {}

  /** Inserts unless the owner already used the idempotency key; null then. */
  async insert(manager: EntityManager, run: NewRun): Promise<Run | null> {
    const rows: RunRow[] = await sql(
      manager,
      `INSERT INTO "execution"."runs" ("id", "owner_id", "kind", "agent_id", "agent_version", "workflow_id", "workflow_version", "conversation_id",
         "session_id", "input", "limits", "timeout_ms", "idempotency_key", "trace_id", "background", "key_holder", "agent_snapshot")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT ("owner_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL DO NOTHING
       RETURNING *`,
      [
        newId(),
        run.ownerId,
        run.kind,
        run.agentId,
        run.agentVersion,
        run.workflowId,
        run.workflowVersion,
        run.conversationId,
        run.sessionId,
        JSON.stringify(run.input ?? null),
        JSON.stringify(run.limits),
        run.timeoutMs,
        run.idempotencyKey,
        run.traceId,
        run.background,
        run.keyHolder,
        run.agentSnapshot === undefined || run.agentSnapshot === null ? null : JSON.stringify(run.agentSnapshot),
      ],
    );
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  async findByIdempotencyKey(ownerId: string, key: string): Promise<Run | null> {
    const rows: RunRow[] = await sql(this.dataSource, `SELECT * FROM "execution"."runs" WHERE "owner_id" = $1 AND "idempotency_key" = $2`, [ownerId, key]);
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  /** With an owner, another owner's run is not found. */
  async find(id: string, ownerId?: string): Promise<Run | null> {
    const rows: RunRow[] = await sql(this.dataSource, `SELECT * FROM "execution"."runs" WHERE "id" = $1 AND ($2::uuid IS NULL OR "owner_id" = $2)`, [id, ownerId ?? null]);
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  async lock(manager: EntityManager, id: string, ownerId?: string): Promise<Run | null> {
    const rows: RunRow[] = await sql(manager, `SELECT * FROM "execution"."runs" WHERE "id" = $1 AND ($2::uuid IS NULL OR "owner_id" = $2) FOR UPDATE`, [id, ownerId ?? null]);
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  async markCancelRequested(manager: EntityManager, id: string): Promise<void> {
    await sql(manager, `UPDATE "execution"."runs" SET "cancel_requested_at" = COALESCE("cancel_requested_at", now()), "updated_at" = now() WHERE "id" = $1`, [id]);
  }

  /** For a writer holding the run's row lock (enqueue, cancel, claim): the next number is safe to take. */
  async appendEventLocked(manager: EntityManager, runId: string, type: string, data: unknown): Promise<number> {
    const rows: Array<{ seq: number }> = await sql(
      manager,
      `INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
       SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, $2, $3
       RETURNING "seq"`,
      [runId, type, JSON.stringify(data ?? {})],
    );
    return rows[0].seq;
  }

  /** The fenced twin: appends nothing (null) unless the fence holds. */
  async appendEventFenced(fence: Fence, type: string, data: unknown): Promise<number | null> {
    const rows: Array<{ seq: number }> = await sql(
      this.dataSource,
      `WITH ${FENCE_CTE}
       INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
       SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, $4, $5 FROM "fence"
       RETURNING "seq"`,
      [fence.runId, fence.attempt, fence.leaseOwner, type, JSON.stringify(data ?? {})],
    );
    return rows.length === 0 ? null : rows[0].seq;
  }

  /**
   * Locks up to `limit` runs this worker can execute and no one else is working on: pending ones
   * whose turn has come, and running ones whose holder stopped renewing its lease. SKIP LOCKED lets
   * concurrent claims pass each other instead of queueing on the same rows.
   */
  async lockClaimable(manager: EntityManager, kinds: readonly string[], limit: number, workerId: string, foreignKeyWaitMs: number): Promise<ClaimCandidate[]> {
    const rows: Array<{
      id: string;
      status: RunStatus;
      attempt: number;
      failure_count: number;
      cancel_requested: boolean;
      past_deadline: boolean;
      last_error: RunErrorInfo | null;
    }> = await sql(
      manager,
      `SELECT "id", "status", "attempt", "failure_count", "cancel_requested_at" IS NOT NULL AS "cancel_requested",
              COALESCE("deadline_at" <= now(), false) AS "past_deadline", "last_error"
       FROM "execution"."runs" r
       WHERE "kind" = ANY($1::text[])
         AND (("status" = 'pending' AND "available_at" <= now()
                -- A key sent with the request lives only in its holder's memory: others wait, then take the run to fail it clearly.
                AND ("key_holder" IS NULL OR "key_holder" = $3 OR "available_at" <= now() - $4 * interval '1 millisecond')
                -- One run at a time per conversation, oldest first: never two runs writing one branch.
                AND ("conversation_id" IS NULL OR NOT EXISTS (
                  SELECT 1 FROM "execution"."runs" o
                  WHERE o."conversation_id" = r."conversation_id" AND o."status" IN ('pending', 'running', 'requires_action')
                    AND (o."created_at", o."id") < (r."created_at", r."id"))))
              OR ("status" = 'running' AND "lease_expires_at" < now()))
       ORDER BY "created_at"
       LIMIT $2
       FOR UPDATE SKIP LOCKED`,
      [kinds, limit, workerId, foreignKeyWaitMs],
    );
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      attempt: r.attempt,
      failureCount: r.failure_count,
      cancelRequested: r.cancel_requested,
      pastDeadline: r.past_deadline,
      lastError: r.last_error,
    }));
  }

  /** Takes a locked candidate: a new attempt, this worker's lease, and the deadline fixed on the first claim. */
  async takeLease(
    manager: EntityManager,
    candidate: ClaimCandidate,
    leaseOwner: string,
    leaseMs: number,
  ): Promise<{ run: Run; remainingMs: number }> {
    const rows: Array<RunRow & { remaining_ms: string }> = await sql(
      manager,
      `UPDATE "execution"."runs"
       SET "status" = 'running', "attempt" = "attempt" + 1, "lease_owner" = $2, "lease_expires_at" = now() + $3 * interval '1 millisecond',
           "failure_count" = $4, "last_error" = $5, "started_at" = COALESCE("started_at", now()),
           "deadline_at" = COALESCE("deadline_at", now() + "timeout_ms" * interval '1 millisecond'), "updated_at" = now()
       WHERE "id" = $1
       RETURNING *, GREATEST(0, EXTRACT(EPOCH FROM ("deadline_at" - now())) * 1000)::bigint AS "remaining_ms"`,
      [candidate.id, leaseOwner, leaseMs, candidate.failureCount, candidate.lastError ? JSON.stringify(candidate.lastError) : null],
    );
    // Steps an earlier attempt started and never finished will be redone; they stay visible, marked.
    await this.abandonRunningSteps(manager, candidate.id);
    return { run: runFromRow(rows[0]), remainingMs: Number(rows[0].remaining_ms) };
  }

  /** Marks the run's unfinished steps abandoned: their attempt is over and they will never finish. */
  async abandonRunningSteps(manager: EntityManager, runId: string): Promise<void> {
    await sql(manager, `UPDATE "execution"."run_steps" SET "status" = 'abandoned', "updated_at" = now() WHERE "run_id" = $1 AND "status" = 'running'`, [runId]);
  }

  /**
   * Extends the leases this worker still holds; returns the ones it holds, each with whether a
   * cancel was asked for (the backstop for a lost cancel broadcast).
   */
  async heartbeat(leaseOwner: string, held: ReadonlyArray<{ runId: string; attempt: number }>, leaseMs: number): Promise<Array<{ runId: string; cancelRequested: boolean }>> {
    if (held.length === 0) return [];
    const rows: Array<{ id: string; cancel_requested: boolean }> = await sql(
      this.dataSource,
      `UPDATE "execution"."runs" r SET "lease_expires_at" = now() + $3 * interval '1 millisecond'
       FROM unnest($1::uuid[], $2::int[]) AS h("id", "attempt")
       WHERE r."id" = h."id" AND r."attempt" = h."attempt" AND r."lease_owner" = $4 AND r."status" = 'running'
       RETURNING r."id", r."cancel_requested_at" IS NOT NULL AS "cancel_requested"`,
      [held.map((h) => h.runId), held.map((h) => h.attempt), leaseMs, leaseOwner],
    );
    return rows.map((r) => ({ runId: r.id, cancelRequested: r.cancel_requested }));
  }

  /**
   * Ends a run, or parks it in requires_action. With a fence, only the holder of that attempt can
   * do it (null when it no longer holds the run); without one the caller holds the row lock.
   */
  async finish(manager: EntityManager, runId: string, fence: Fence | null, patch: FinishPatch): Promise<Run | null> {
    const final = patch.status !== 'requires_action';
    const rows: RunRow[] = await sql(
      manager,
      `UPDATE "execution"."runs" r
       SET "status" = $4, "output" = COALESCE($5::jsonb, r."output"), "output_partial" = $6, "required_action" = $7, "error" = $8,
           "lease_owner" = NULL, "lease_expires_at" = NULL, "completed_at" = CASE WHEN $9 THEN now() ELSE NULL END, "updated_at" = now(),
           "prompt_tokens" = COALESCE($10, s."prompt_tokens"), "completion_tokens" = COALESCE($11, s."completion_tokens"),
           "cost_micros" = COALESCE($12, s."cost_micros")
       FROM (SELECT COALESCE(SUM("prompt_tokens"), 0) AS "prompt_tokens", COALESCE(SUM("completion_tokens"), 0) AS "completion_tokens",
                    COALESCE(SUM("cost_micros"), 0) AS "cost_micros"
             FROM "execution"."run_steps" WHERE "run_id" = $1 AND "status" = 'completed') s
       WHERE r."id" = $1 AND ($2::int IS NULL OR (r."attempt" = $2 AND r."lease_owner" = $3::text AND r."status" = 'running'))
         AND r."status" NOT IN ('completed', 'failed', 'cancelled', 'expired')
       RETURNING r.*`,
      [
        runId,
        fence?.attempt ?? null,
        fence?.leaseOwner ?? null,
        patch.status,
        patch.output === undefined ? null : JSON.stringify(patch.output),
        patch.outputPartial ?? false,
        patch.requiredAction === undefined ? null : JSON.stringify(patch.requiredAction),
        patch.error ? JSON.stringify(patch.error) : null,
        final,
        patch.usage?.promptTokens ?? null,
        patch.usage?.completionTokens ?? null,
        patch.usage?.costMicros ?? null,
      ],
    );
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  /** A failed attempt that may be retried: back in the queue after a pause, counted. */
  async releaseForRetry(manager: EntityManager, fence: Fence, error: RunErrorInfo, delayMs: number): Promise<Run | null> {
    const rows: RunRow[] = await sql(
      manager,
      `UPDATE "execution"."runs"
       SET "status" = 'pending', "lease_owner" = NULL, "lease_expires_at" = NULL, "failure_count" = "failure_count" + 1, "last_error" = $4,
           "available_at" = now() + $5 * interval '1 millisecond', "updated_at" = now()
       WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running'
       RETURNING *`,
      [fence.runId, fence.attempt, fence.leaseOwner, JSON.stringify(error), delayMs],
    );
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  /**
   * Answers a run waiting in requires_action: records the answer as a completed human_input step
   * (so the next attempt finds it like any completed step) and queues the run again. The wall
   * clock starts afresh: time spent waiting for a person is not the run's to spend.
   */
  async resumeLocked(manager: EntityManager, run: Run, steps: ReadonlyArray<{ key: string; name: string; output: unknown }>): Promise<Run> {
    for (const step of steps) {
      await sql(
        manager,
        `INSERT INTO "execution"."run_steps" ("id", "run_id", "seq", "step_key", "step_name", "step_type", "status", "output", "attempt", "completed_at")
         SELECT $1, $2, COALESCE((SELECT MAX("seq") FROM "execution"."run_steps" WHERE "run_id" = $2), 0) + 1, $3, $4, 'human_input', 'completed', $5, $6, now()`,
        [newId(), run.id, step.key, step.name, JSON.stringify(step.output ?? null), run.attempt],
      );
    }
    const rows: RunRow[] = await sql(
      manager,
      `UPDATE "execution"."runs" SET "status" = 'pending', "required_action" = NULL, "available_at" = now(), "deadline_at" = NULL, "updated_at" = now()
       WHERE "id" = $1 RETURNING *`,
      [run.id],
    );
    return runFromRow(rows[0]);
  }

  /** A worker shutting down hands its run back without counting a failure. */
  async release(fence: Fence): Promise<boolean> {
    const rows: unknown[] = await sql(
      this.dataSource,
      `UPDATE "execution"."runs" SET "status" = 'pending', "lease_owner" = NULL, "lease_expires_at" = NULL, "available_at" = now(), "updated_at" = now()
       WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running'
       RETURNING "id"`,
      [fence.runId, fence.attempt, fence.leaseOwner],
    );
    return rows.length > 0;
  }

  async startStep(fence: Fence, step: { key: string; name: string; type: StepType; input: unknown; model?: string }): Promise<RunStep | null> {
    const rows: StepRow[] = await sql(
      this.dataSource,
      `WITH ${FENCE_CTE}
       INSERT INTO "execution"."run_steps" ("id", "run_id", "seq", "step_key", "step_name", "step_type", "status", "input", "attempt", "model")
       SELECT $4, $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_steps" WHERE "run_id" = $1), 0) + 1, $5, $6, $7, 'running', $8, $2, $9 FROM "fence"
       RETURNING *`,
      [fence.runId, fence.attempt, fence.leaseOwner, newId(), step.key, step.name, step.type, JSON.stringify(step.input ?? null), step.model ?? null],
    );
    return rows.length === 0 ? null : stepFromRow(rows[0]);
  }

  async endStep(fence: Fence, stepId: string, end: { status: 'completed' | 'failed'; output: unknown; error: RunErrorInfo | null; usage: RunUsage }): Promise<RunStep | null> {
    const rows: StepRow[] = await sql(
      this.dataSource,
      `WITH ${FENCE_CTE}
       UPDATE "execution"."run_steps"
       SET "status" = $5, "output" = $6, "error" = $7, "prompt_tokens" = $8, "completion_tokens" = $9, "cost_micros" = $10, "completed_at" = now(), "updated_at" = now()
       WHERE "id" = $4 AND "attempt" = $2 AND "status" = 'running' AND EXISTS (SELECT 1 FROM "fence")
       RETURNING *`,
      [
        fence.runId,
        fence.attempt,
        fence.leaseOwner,
        stepId,
        end.status,
        JSON.stringify(end.output ?? null),
        end.error ? JSON.stringify(end.error) : null,
        end.usage.promptTokens,
        end.usage.completionTokens,
        end.usage.costMicros,
      ],
    );
    return rows.length === 0 ? null : stepFromRow(rows[0]);
  }

  async listSteps(runId: string, options: { status?: StepStatus } = {}): Promise<RunStep[]> {
    const rows: StepRow[] = await sql(
      this.dataSource,
      `SELECT * FROM "execution"."run_steps" WHERE "run_id" = $1 AND ($2::text IS NULL OR "status" = $2) ORDER BY "seq"`,
      [runId, options.status ?? null],
    );
    return rows.map(stepFromRow);
  }

  async readEvents(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]> {
    const rows: Array<{ run_id: string; seq: number; type: string; data: unknown; created_at: Date }> = await sql(
      this.dataSource,
      `SELECT * FROM "execution"."run_events" WHERE "run_id" = $1 AND "seq" > $2::bigint ORDER BY "seq" LIMIT $3`,
      [runId, afterSeq, limit],
    );
    return rows.map((r) => ({ runId: r.run_id, seq: r.seq, type: r.type, data: r.data, createdAt: r.created_at }));
  }

  /** Ids of an agent's runs that no worker holds and that have not ended, locked for the caller's transaction. */
  async lockWaitingByAgent(manager: EntityManager, ownerId: string, agentId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await sql(
      manager,
      `SELECT "id" FROM "execution"."runs" WHERE "agent_id" = $1 AND "owner_id" = $2 AND "status" IN ('pending', 'requires_action') ORDER BY "id" FOR UPDATE`,
      [agentId, ownerId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A transaction-scoped lock on any name (an owner, a conversation, an idempotency key): writers
   * that must see each other's inserts before deciding queue behind it; it ends with the transaction.
   */
  async advisoryLock(manager: EntityManager, name: string): Promise<void> {
    await sql(manager, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [name]);
  }

  /** Inside a guarded enqueue: the run an idempotency key already made, seen after the key's lock (so a concurrent twin is visible). */
  async lockIdempotencyKey(manager: EntityManager, ownerId: string, key: string): Promise<Run | null> {
    await this.advisoryLock(manager, `execution.runs.idempotency:${ownerId}:${key}`);
    const rows: RunRow[] = await sql(manager, `SELECT * FROM "execution"."runs" WHERE "owner_id" = $1 AND "idempotency_key" = $2`, [ownerId, key]);
    return rows.length === 0 ? null : runFromRow(rows[0]);
  }

  /** Runs that count against the owner's concurrency cap. */
  async countActiveByOwner(manager: EntityManager, ownerId: string): Promise<number> {
    const rows: Array<{ count: string }> = await sql(
      manager,
      `SELECT count(*) AS "count" FROM "execution"."runs" WHERE "owner_id" = $1 AND "status" IN ('pending', 'running')`,
      [ownerId],
    );
    return Number(rows[0].count);
  }

  /** A conversation's runs that have not ended, oldest first, locked for the caller's transaction. */
  async lockActiveByConversation(manager: EntityManager, conversationId: string): Promise<Run[]> {
    const rows: RunRow[] = await sql(
      manager,
      `SELECT * FROM "execution"."runs" WHERE "conversation_id" = $1 AND "status" IN ('pending', 'running', 'requires_action')
       ORDER BY "created_at", "id" FOR UPDATE`,
      [conversationId],
    );
    return rows.map(runFromRow);
  }

  /**
   * An owner's runs, newest first, after the (created_at, id) position of the previous page. The
   * sort key goes out as ISO text with microseconds: a JS Date would drop them and repeat or skip rows.
   */
  async listByOwner(filter: {
    ownerId: string;
    status?: RunStatus;
    agentId?: string;
    conversationId?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<Array<{ run: Run; createdKey: string }>> {
    const rows: Array<RunRow & { created_key: string }> = await sql(
      this.dataSource,
      `SELECT *, to_char("created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "created_key" FROM "execution"."runs"
       WHERE "owner_id" = $1 AND ($2::text IS NULL OR "status" = $2) AND ($3::uuid IS NULL OR "agent_id" = $3)
         AND ($4::uuid IS NULL OR "conversation_id" = $4)
         AND ($5::timestamptz IS NULL OR ("created_at", "id") < ($5::timestamptz, $6::uuid))
       ORDER BY "created_at" DESC, "id" DESC
       LIMIT $7`,
      [filter.ownerId, filter.status ?? null, filter.agentId ?? null, filter.conversationId ?? null, filter.after?.createdAt ?? null, filter.after?.id ?? null, filter.limit],
    );
    return rows.map((r) => ({ run: runFromRow(r), createdKey: r.created_key }));
  }

  /** Steps and events go with their runs (ON DELETE CASCADE). */
  async deleteByOwner(manager: EntityManager, ownerId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await sql(manager, `DELETE FROM "execution"."runs" WHERE "owner_id" = $1 RETURNING "id"`, [ownerId]);
    return rows.map((r) => r.id);
  }
}

interface RunRow {
  id: string;
  owner_id: string;
  kind: RunKind;
  agent_id: string | null;
  agent_version: number | null;
  workflow_id: string | null;
  workflow_version: number | null;
  conversation_id: string | null;
  session_id: string | null;
  status: RunStatus;
  input: unknown;
  output: unknown;
  output_partial: boolean;
  required_action: unknown;
  error: RunErrorInfo | null;
  last_error: RunErrorInfo | null;
  trace_id: string | null;
  prompt_tokens: string;
  completion_tokens: string;
  cost_micros: string;
  limits: RunLimits;
  timeout_ms: number;
  idempotency_key: string | null;
  background: boolean;
  key_holder: string | null;
  agent_snapshot: unknown;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  attempt: number;
  failure_count: number;
  cancel_requested_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface StepRow {
  id: string;
  run_id: string;
  seq: number;
  step_key: string;
  step_name: string;
  step_type: StepType;
  model: string | null;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: RunErrorInfo | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micros: string;
  attempt: number;
  started_at: Date;
  completed_at: Date | null;
}

export function runFromRow(r: RunRow): Run {
  return {
    id: r.id,
    ownerId: r.owner_id,
    kind: r.kind,
    agentId: r.agent_id,
    agentVersion: r.agent_version,
    workflowId: r.workflow_id,
    workflowVersion: r.workflow_version,
    conversationId: r.conversation_id,
    sessionId: r.session_id,
    status: r.status,
    input: r.input,
    output: r.output,
    outputPartial: r.output_partial,
    requiredAction: r.required_action,
    error: r.error,
    lastError: r.last_error,
    traceId: r.trace_id,
    usage: { promptTokens: Number(r.prompt_tokens), completionTokens: Number(r.completion_tokens), costMicros: Number(r.cost_micros) },
    limits: r.limits,
    timeoutMs: r.timeout_ms,
    idempotencyKey: r.idempotency_key,
    background: r.background,
    keyHolder: r.key_holder,
    agentSnapshot: r.agent_snapshot,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    attempt: r.attempt,
    failureCount: r.failure_count,
    cancelRequestedAt: r.cancel_requested_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function stepFromRow(r: StepRow): RunStep {
  return {
    id: r.id,
    runId: r.run_id,
    seq: r.seq,
    key: r.step_key,
    name: r.step_name,
    type: r.step_type,
    model: r.model,
    status: r.status,
    input: r.input,
    output: r.output,
    error: r.error,
    usage: { promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, costMicros: Number(r.cost_micros) },
    attempt: r.attempt,
    startedAt: r.started_at,
    completedAt: r.completed_at,
  };
}
