import { Injectable } from '@nestjs/common';
import type { RunErrorInfo, RunKind, RunStatus, SessionStatus, StepType } from '#contracts';
import type { OutboxRow } from '#messaging';
import { Database, newId, type Statement } from '#persistence';
import { In } from 'typeorm';
import { type Fence, type StoredRow, type StoredRunEvent, storedEvent } from '../run-events/run-events.service.js';
import { MAX_SESSION_ERROR_LOGS, type SessionErrorLog } from '../sessions/sessions.service.js';
import type { ModelUsage } from '../usage/usage.service.js';
import { RunStepEntity, type StepStatus } from './run-step.entity.js';
import { RunEntity, type RunUsage } from './run.entity.js';

/** The columns a new run is written with; the rest take their defaults. */
export type NewRun = Pick<
  RunEntity,
  | 'ownerId'
  | 'kind'
  | 'agentId'
  | 'agentVersion'
  | 'workflowId'
  | 'workflowVersion'
  | 'workflowSnapshot'
  | 'webhookUrl'
  | 'conversationId'
  | 'sessionId'
  | 'input'
  | 'limits'
  | 'timeoutMs'
  | 'idempotencyKey'
  | 'traceId'
  | 'traceParent'
  | 'background'
  | 'keyHolder'
  | 'agentSnapshot'
>;

/** The session a run's insert writes with it: a new one, or the existing one of its conversation, running again. */
export interface RunSessionWrite {
  id: string;
  existing: boolean;
  agentId: string;
  /** The start's variables, merged over the session's earlier ones. */
  variables: Record<string, string>;
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

export interface RunListFilter {
  ownerId: string;
  status?: RunStatus;
  agentId?: string;
  workflowId?: string;
  conversationId?: string;
  /** The (created_at as ISO text with microseconds, id) position the page starts after. */
  after?: { createdAt: string; id: string };
  limit: number;
}

/** A step's fenced write and the event it added to the run's stream (after `before`, when it stored one too). */
export interface StepWrite {
  step: RunStepEntity;
  event: StoredRunEvent;
  before?: StoredRunEvent;
}

/** A step's start, as startStepStatement writes it (its id chosen by the caller, so its end can name it before it is written). */
export interface StepBegin {
  id: string;
  /** When the step started, by this process's monotonic clock: a start written later (held) keeps that time as its started_at. */
  startedAt: number;
  key: string;
  name: string;
  type: StepType;
  input: unknown;
  model?: string;
}

/** A step's end, as endStepStatement writes it: held by a journal until it is written (see FencedStepJournal). */
export interface StepEnd {
  stepId: string;
  end: { status: 'completed' | 'failed'; output: unknown; error: RunErrorInfo | null; usage: RunUsage };
  event: { type: string; data: Record<string, unknown> };
  /** An event of the step stored first, numbered just before the step's (its last tokens). */
  before?: { type: string; data: unknown };
  /**
   * When the step ended, by this process's monotonic clock (performance.now()), for an end written
   * later (held): its completed_at is the database's now() less the time since, not the time it was written.
   */
  endedAt?: number;
}

/** A run's ending as written (see finishStatement): the ended run, its event, its completed calls and its outbox envelope. */
export interface Ended {
  run: RunEntity;
  event: StoredRunEvent;
  calls: CompletedCalls;
  outboxEnvelope: unknown;
}

/** A step's write a journal held back, to be sent with others: the step's start or its end. */
export type HeldStepWrite = { start: StepBegin } | { end: StepEnd };

/** What an ending writes beside the run (see finishStatement). */
export interface EndingWrites {
  /** The status its session takes. */
  sessionStatus: SessionStatus;
  /** The entry the session's error log gains, if any. */
  sessionError: SessionErrorLog | null;
  /** The outbox row of its event for other services (final ends); the statement fills the envelope's data. */
  outbox?: OutboxRow;
}

/** A run's completed tool and model calls: what its session and the daily usage count when it ends. */
export interface CompletedCalls {
  /** Tool name -> calls. */
  tools: Record<string, number>;
  /** Per model, most calls first (ties by name). */
  models: ModelUsage[];
}

/** Runs that have not ended. */
const ACTIVE: RunStatus[] = ['pending', 'running', 'requires_action'];

/** The attempt that holds a run, checked (and held shared) inside a step's write. */
const FENCE = `"fence" AS (
  SELECT "id", "owner_id" FROM "execution"."runs" WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running' FOR SHARE)`;

/**
 * The event a step's write adds to the run's stream in the same statement (a CTE after "step",
 * the run's id in $1): numbered next, of the type in parameter `type`, with the data in parameter
 * `data` and the step's number and key. Written only when the step was (the fence held), and
 * under the run's row held FOR SHARE by the fence, as every fenced append.
 */
function stepEvent(type: string, data: string): string {
  return `"event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, ${type},
                ${data}::jsonb || jsonb_build_object('step', "step"."seq", 'key', "step"."step_key")
         FROM "step"
         RETURNING "seq", "type", "data", "created_at")`;
}

/** The columns of "step" and, prefixed `event_`, of "event" and the run's owner: the step and its event in one row. */
const STEP_AND_EVENT = `SELECT "step".*, "event"."seq" AS "event_seq", "event"."type" AS "event_type", "event"."data" AS "event_data",
              "event"."created_at" AS "event_created_at", "fence"."owner_id" AS "event_owner_id"
       FROM "step", "event", "fence"`;

/**
 * The runs table (which is the queue) and the step journal. The queue's claims, leases, fenced
 * writes and set-based updates are plain SQL because their exact shape is the point (SKIP LOCKED,
 * fences, arithmetic on the row). So are the few plain reads and writes every run makes (insert,
 * count at start, steps at claim, abandon at claim and end, reads while waiting): measured here,
 * the Repository API's query building costs two to three times the CPU of the statement itself,
 * and the bench's agent-run pays it on every run. The rest use the Repository API.
 */
@Injectable()
export class RunEngineRepository {
  constructor(private readonly database: Database) {}

  private get runs() {
    return this.database.repository(RunEntity);
  }

  /**
   * Plain SQL, one statement: the owner's turn, then the run with its first events and its session.
   * - The turn: `lock` (a transaction-scoped lock, see advisoryLock) taken before anything is
   *   counted or written, then the owner's runs pending or running counted (a function, so the
   *   count sees every run committed by whoever held the lock before). At `cap` or more, nothing
   *   is written and the answer is the count alone.
   * - The run, pending with its run.queued event (number 1: the row is new); or, given a lease,
   *   already running as that worker's first attempt (lease, start and deadline as a claim would
   *   write them) with its run.started event.
   * - With `session`, the run's session: a new one written running, or the existing one running
   *   again with the start's variables merged over its earlier ones (jsonb ||, so two starts at
   *   once keep each other's).
   * Answers the run and its events, and how many runs were active before it.
   */
  async insert(
    run: NewRun & { id: string },
    turn: { lock: string; cap: number },
    lease?: { owner: string; leaseMs: number },
    session?: RunSessionWrite,
  ): Promise<{ run: RunEntity | null; events: StoredRunEvent[]; activeBefore: number }> {
    const { table, columns, params } = this.database.columnsOf(RunEntity, run);
    const values = params.map((_, i) => `$${i + 1}`);
    if (lease) {
      const owner = params.push(lease.owner);
      const leaseMs = params.push(lease.leaseMs);
      const timeoutMs = params.push(run.timeoutMs);
      columns.push('"status"', '"attempt"', '"lease_owner"', '"lease_expires_at"', '"started_at"', '"deadline_at"');
      values.push(`'running'`, '1', `$${owner}`, `now() + $${leaseMs} * interval '1 millisecond'`, 'now()', `now() + $${timeoutMs} * interval '1 millisecond'`);
    }
    const lock = params.push(turn.lock);
    const owner = params.push(run.ownerId);
    const cap = params.push(turn.cap);
    let sessionWrite = '';
    if (session) {
      const id = params.push(session.id);
      const variables = params.push(JSON.stringify(session.variables));
      if (session.existing) {
        sessionWrite = `,
       "session" AS (
         UPDATE "execution"."sessions"
         SET "status" = 'running', "variables" = "variables" || $${variables}::jsonb, "last_active_at" = now(), "completed_at" = NULL, "updated_at" = now()
         WHERE "id" = $${id} AND EXISTS (SELECT 1 FROM "run"))`;
      } else {
        const agent = params.push(session.agentId);
        sessionWrite = `,
       "session" AS (
         INSERT INTO "execution"."sessions" ("id", "owner_id", "agent_id", "status", "variables")
         SELECT $${id}, $${owner}, $${agent}, 'running', $${variables}::jsonb FROM "run")`;
      }
    }
    const [row] = await this.database.query<Record<string, unknown>>(
      `WITH "turn" AS (SELECT "execution"."active_runs_after_lock"($${lock}, $${owner}::uuid) AS "active"),
       "run" AS (
         INSERT INTO ${table} (${columns.join(', ')})
         SELECT ${values.join(', ')} FROM "turn" WHERE "turn"."active" < $${cap}
         RETURNING ${this.database.columnList(RunEntity)}),
       "event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT "id", 1, 'run.queued', '{"status": "pending"}'::jsonb FROM "run"
         UNION ALL
         SELECT "id", 2, 'run.started', jsonb_build_object('status', 'running', 'attempt', "attempt") FROM "run" WHERE "status" = 'running'
         RETURNING "seq", "type", "data", "created_at")${sessionWrite}
       SELECT "run".*, (SELECT jsonb_agg("event" ORDER BY "seq") FROM "event") AS "events", "turn"."active" AS "active_before"
       FROM "turn" LEFT JOIN "run" ON true`,
      params,
      { prepare: true },
    );
    const activeBefore = Number(row.active_before);
    if (row.id === null) return { run: null, events: [], activeBefore };
    const inserted = this.database.hydrate(RunEntity, row);
    const events = (row.events as Array<Omit<StoredRow, 'owner_id'>>).map((e) => storedEvent(inserted.id, { ...e, created_at: new Date(e.created_at), owner_id: inserted.ownerId }));
    return { run: inserted, events, activeBefore };
  }

  /** Plain SQL (every run's path: polled while a caller waits). With an owner, another owner's run is not found. */
  find(id: string, ownerId?: string): Promise<RunEntity | null> {
    return this.database.row(RunEntity, `SELECT * FROM "execution"."runs" WHERE "id" = $1 AND ($2::uuid IS NULL OR "owner_id" = $2)`, [id, ownerId ?? null]);
  }

  findByIdempotencyKey(ownerId: string, key: string): Promise<RunEntity | null> {
    return this.runs.findOneBy({ ownerId, idempotencyKey: key });
  }

  /** In a transaction: the run, locked until it ends. */
  lock(id: string, ownerId?: string): Promise<RunEntity | null> {
    return this.runs.findOne({ where: ownerId === undefined ? { id } : { id, ownerId }, lock: { mode: 'pessimistic_write' } });
  }

  async markCancelRequested(id: string): Promise<void> {
    await this.runs.update({ id }, { cancelRequestedAt: () => 'COALESCE("cancel_requested_at", now())' });
  }

  /**
   * A transaction-scoped lock on any name (an owner, a conversation, an idempotency key): writers
   * that must see each other's inserts before deciding queue behind it; it ends with the
   * transaction. Plain SQL: a PostgreSQL function.
   */
  async advisoryLock(name: string): Promise<void> {
    await this.database.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [name]);
  }

  /** A conversation's runs that have not ended, oldest first, locked for the caller's transaction. */
  lockActiveByConversation(conversationId: string): Promise<RunEntity[]> {
    return this.runs.find({ where: { conversationId, status: In(ACTIVE) }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  /** Ids of an agent's runs that no worker holds and that have not ended, locked for the caller's transaction. */
  async lockWaitingByAgent(ownerId: string, agentId: string): Promise<string[]> {
    const runs = await this.runs.find({
      select: { id: true },
      where: { agentId, ownerId, status: In(['pending', 'requires_action'] as RunStatus[]) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    return runs.map((r) => r.id);
  }

  /**
   * Plain SQL: an owner's runs, newest first, after the (created_at, id) position of the previous
   * page. The sort key goes out as ISO text with microseconds: a JS Date would drop them and repeat
   * or skip rows.
   */
  async listByOwner(filter: RunListFilter): Promise<Array<{ run: RunEntity; createdKey: string }>> {
    const rows = await this.database.query<Record<string, unknown> & { created_key: string }>(
      `SELECT *, to_char("created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "created_key" FROM "execution"."runs"
       WHERE "owner_id" = $1 AND ($2::text IS NULL OR "status" = $2) AND ($3::uuid IS NULL OR "agent_id" = $3)
         AND ($4::uuid IS NULL OR "conversation_id" = $4) AND ($8::uuid IS NULL OR "workflow_id" = $8)
         AND ($5::timestamptz IS NULL OR ("created_at", "id") < ($5::timestamptz, $6::uuid))
       ORDER BY "created_at" DESC, "id" DESC
       LIMIT $7`,
      [filter.ownerId, filter.status ?? null, filter.agentId ?? null, filter.conversationId ?? null, filter.after?.createdAt ?? null, filter.after?.id ?? null, filter.limit, filter.workflowId ?? null],
    );
    return rows.map((r) => ({ run: this.database.hydrate(RunEntity, r), createdKey: r.created_key }));
  }

  /** Plain SQL: DELETE ... RETURNING. Steps and events go with their runs (ON DELETE CASCADE). */
  async deleteByOwner(ownerId: string): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(`DELETE FROM "execution"."runs" WHERE "owner_id" = $1 RETURNING "id"`, [ownerId]);
    return rows.map((r) => r.id);
  }

  /** Plain SQL: runs waiting for a worker now (pending, their turn come) per kind, and how long the oldest has waited. */
  async queueStats(): Promise<Array<{ kind: RunKind; depth: number; oldestAgeSeconds: number }>> {
    const rows = await this.database.query<{ kind: RunKind; depth: number; age: number }>(
      `SELECT "kind", count(*)::int AS "depth", EXTRACT(EPOCH FROM now() - min("available_at"))::float8 AS "age"
       FROM "execution"."runs" WHERE "status" = 'pending' AND "available_at" <= now() GROUP BY "kind"`,
    );
    return rows.map((r) => ({ kind: r.kind, depth: r.depth, oldestAgeSeconds: Math.max(0, r.age) }));
  }

  /**
   * Plain SQL: locks up to `limit` runs this worker can execute and no one else is working on:
   * pending ones whose turn has come, and running ones whose holder stopped renewing its lease.
   * SKIP LOCKED lets concurrent claims pass each other instead of queueing on the same rows.
   */
  async lockClaimable(kinds: readonly RunKind[], limit: number, workerId: string, foreignKeyWaitMs: number): Promise<ClaimCandidate[]> {
    const rows = await this.database.query<{
      id: string;
      status: RunStatus;
      attempt: number;
      failure_count: number;
      cancel_requested: boolean;
      past_deadline: boolean;
      last_error: RunErrorInfo | null;
    }>(
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

  /**
   * Plain SQL, one statement: leases up to `limit` runs ready to start (pending, their turn come,
   * no cancel asked, within their deadline and attempts; the same turn rules as lockClaimable),
   * each with a new attempt, this worker's lease, the deadline fixed on the first claim and its
   * run.started event; steps an earlier attempt left running are marked abandoned. SKIP LOCKED
   * lets concurrent claims pass each other. Rows that need more (a lost worker's, one to end) wait
   * for lockClaimable.
   */
  async claimReady(kinds: readonly RunKind[], limit: number, workerId: string, leaseMs: number, maxAttempts: number): Promise<Array<{ run: RunEntity; remainingMs: number }>> {
    const rows = await this.database.query<Record<string, unknown> & { remaining_ms: string }>(
      `WITH "taken" AS (
         UPDATE "execution"."runs" t
         SET "status" = 'running', "attempt" = t."attempt" + 1, "lease_owner" = $3, "lease_expires_at" = now() + $4 * interval '1 millisecond',
             "started_at" = COALESCE(t."started_at", now()), "deadline_at" = COALESCE(t."deadline_at", now() + t."timeout_ms" * interval '1 millisecond'),
             "updated_at" = now()
         WHERE t."id" IN (
           SELECT r."id" FROM "execution"."runs" r
           WHERE r."kind" = ANY($1::text[]) AND r."status" = 'pending' AND r."available_at" <= now()
             AND r."cancel_requested_at" IS NULL AND (r."deadline_at" IS NULL OR r."deadline_at" > now()) AND r."failure_count" < $5
             AND (r."key_holder" IS NULL OR r."key_holder" = $3 OR r."available_at" <= now() - $4 * interval '1 millisecond')
             AND (r."conversation_id" IS NULL OR NOT EXISTS (
               SELECT 1 FROM "execution"."runs" o
               WHERE o."conversation_id" = r."conversation_id" AND o."status" IN ('pending', 'running', 'requires_action')
                 AND (o."created_at", o."id") < (r."created_at", r."id")))
           ORDER BY r."created_at"
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING t.*, GREATEST(0, EXTRACT(EPOCH FROM (t."deadline_at" - now())) * 1000)::bigint AS "remaining_ms"),
       "event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT k."id", COALESCE((SELECT MAX(e."seq") FROM "execution"."run_events" e WHERE e."run_id" = k."id"), 0) + 1, 'run.started',
                jsonb_build_object('status', 'running', 'attempt', k."attempt")
         FROM "taken" k),
       "abandoned" AS (
         UPDATE "execution"."run_steps" s SET "status" = 'abandoned', "updated_at" = now()
         FROM "taken" k WHERE s."run_id" = k."id" AND k."attempt" > 1 AND s."status" = 'running')
       SELECT * FROM "taken"`,
      [kinds, limit, workerId, leaseMs, maxAttempts],
    );
    return rows.map((row) => ({ run: this.database.hydrate(RunEntity, row), remainingMs: Number(row.remaining_ms) }));
  }

  /**
   * Plain SQL (arithmetic on the row): takes a locked candidate: a new attempt, this worker's
   * lease, and the deadline fixed on the first claim; its run.started event (numbered next, with
   * the new attempt) is written by the same statement, under the row lock the claim holds.
   */
  async takeLease(candidate: ClaimCandidate, leaseOwner: string, leaseMs: number): Promise<{ run: RunEntity; remainingMs: number }> {
    const [row] = await this.database.query<Record<string, unknown> & { remaining_ms: string }>(
      `WITH "taken" AS (
         UPDATE "execution"."runs"
         SET "status" = 'running', "attempt" = "attempt" + 1, "lease_owner" = $2, "lease_expires_at" = now() + $3 * interval '1 millisecond',
             "failure_count" = $4, "last_error" = $5, "started_at" = COALESCE("started_at", now()),
             "deadline_at" = COALESCE("deadline_at", now() + "timeout_ms" * interval '1 millisecond'), "updated_at" = now()
         WHERE "id" = $1
         RETURNING *, GREATEST(0, EXTRACT(EPOCH FROM ("deadline_at" - now())) * 1000)::bigint AS "remaining_ms"),
       "event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, 'run.started',
                jsonb_build_object('status', 'running', 'attempt', "taken"."attempt")
         FROM "taken")
       SELECT * FROM "taken"`,
      [candidate.id, leaseOwner, leaseMs, candidate.failureCount, candidate.lastError ? JSON.stringify(candidate.lastError) : null],
    );
    // Steps an earlier attempt started and never finished will be redone; they stay visible, marked.
    // A first claim has none: steps are written only by a claimed attempt (or a resume, after one).
    if (candidate.attempt > 0) await this.abandonRunningSteps(candidate.id);
    return { run: this.database.hydrate(RunEntity, row), remainingMs: Number(row.remaining_ms) };
  }

  /**
   * Plain SQL (a set-based update): extends the leases this worker still holds; returns the ones
   * it holds, each with whether a cancel was asked for (the backstop for a lost cancel broadcast).
   */
  async heartbeat(leaseOwner: string, held: ReadonlyArray<{ runId: string; attempt: number }>, leaseMs: number): Promise<Array<{ runId: string; cancelRequested: boolean }>> {
    if (held.length === 0) return [];
    const rows = await this.database.query<{ id: string; cancel_requested: boolean }>(
      `UPDATE "execution"."runs" r SET "lease_expires_at" = now() + $3 * interval '1 millisecond'
       FROM unnest($1::uuid[], $2::int[]) AS h("id", "attempt")
       WHERE r."id" = h."id" AND r."attempt" = h."attempt" AND r."lease_owner" = $4 AND r."status" = 'running'
       RETURNING r."id", r."cancel_requested_at" IS NOT NULL AS "cancel_requested"`,
      [held.map((h) => h.runId), held.map((h) => h.attempt), leaseMs, leaseOwner],
    );
    return rows.map((r) => ({ runId: r.id, cancelRequested: r.cancel_requested }));
  }

  /**
   * Plain SQL, one statement (fenced, usage summed over the steps): ends a run, or parks it in
   * requires_action, with everything its ending writes, so it needs no transaction of its own:
   * - its `run.<status>` event, numbered next (under the row lock the update takes or the caller holds);
   * - for a final end, its steps still running marked abandoned (cut off by the ending);
   * - its session in step with it (status, runs, messages, tools used, the error log);
   * - for a final end of an agent's run, the day's usage per model it called (the run counted on
   *   the model it called most), rows taken in model order so two endings cannot deadlock;
   * - `outbox`: the event for other services, its data (the run's ids, status and error) filled
   *   from the ended row.
   * Answers the run, its event, the outbox envelope as stored, and its completed tool and model calls (the sums read only
   * completed steps, which the marking leaves alone). With a fence, only the holder of that
   * attempt can do it (null when it no longer holds the run); without one the caller holds the
   * row lock.
   */
  finishStatement(runId: string, fence: Fence | null, patch: FinishPatch, also: EndingWrites): Statement<Ended | null> {
    const final = patch.status !== 'requires_action';
    return {
      sql: `WITH "ended" AS (
         UPDATE "execution"."runs" r
         SET "status" = $4, "output" = COALESCE($5::jsonb, r."output"), "output_partial" = $6, "required_action" = $7, "error" = $8,
             "lease_owner" = NULL, "lease_expires_at" = NULL, "completed_at" = CASE WHEN $9 THEN now() ELSE NULL END, "updated_at" = now(),
             "prompt_tokens" = COALESCE($10, s."prompt_tokens"), "completion_tokens" = COALESCE($11, s."completion_tokens"),
             "cost_micros" = COALESCE($12, s."cost_micros")
         FROM (SELECT COALESCE(SUM("prompt_tokens"), 0) AS "prompt_tokens", COALESCE(SUM("completion_tokens"), 0) AS "completion_tokens",
                      COALESCE(SUM("cost_micros"), 0) AS "cost_micros"
               FROM "execution"."run_steps" WHERE "run_id" = $1 AND "status" = 'completed') s
         WHERE r."id" = $1 AND ($2::int IS NULL OR (r."attempt" = $2 AND r."lease_owner" = $3::text AND r."status" = 'running'))
           AND r."status" NOT IN ('completed', 'failed', 'cancelled', 'expired')
         RETURNING ${this.database.columnList(RunEntity, 'r')}),
       "event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, 'run.' || e."status",
                jsonb_build_object('status', e."status")
                || CASE WHEN e."output" IS NOT NULL AND jsonb_typeof(e."output") <> 'null' THEN jsonb_build_object('output', e."output", 'partial', e."output_partial") ELSE '{}'::jsonb END
                || CASE WHEN e."error" IS NOT NULL AND jsonb_typeof(e."error") <> 'null' THEN jsonb_build_object('error', e."error") ELSE '{}'::jsonb END
                || CASE WHEN e."status" = 'requires_action' THEN jsonb_build_object('action', e."required_action") ELSE '{}'::jsonb END
                || jsonb_build_object('usage', jsonb_build_object('promptTokens', e."prompt_tokens", 'completionTokens', e."completion_tokens", 'costMicros', e."cost_micros"))
         FROM "ended" e
         RETURNING "seq", "type", "data", "created_at"),
       "abandoned" AS (
         UPDATE "execution"."run_steps" SET "status" = 'abandoned', "updated_at" = now()
         WHERE "run_id" = $1 AND "status" = 'running' AND $9 AND EXISTS (SELECT 1 FROM "ended")),
       "calls" AS (
         SELECT "step_type" AS "type", CASE WHEN "step_type" = 'tool' THEN "step_name" ELSE COALESCE("model", '') END AS "name", count(*) AS "calls",
                SUM("prompt_tokens") AS "prompt_tokens", SUM("completion_tokens") AS "completion_tokens", SUM("cost_micros") AS "cost_micros"
         FROM "execution"."run_steps"
         WHERE "run_id" = $1 AND "status" = 'completed' AND "step_type" IN ('tool', 'llm_call') AND $9 AND EXISTS (SELECT 1 FROM "ended")
         GROUP BY 1, 2),
       "session" AS (
         UPDATE "execution"."sessions" s
         SET "status" = $13,
             "run_count" = s."run_count" + CASE WHEN $9 THEN 1 ELSE 0 END,
             "messages_count" = s."messages_count" + CASE WHEN e."status" = 'completed' AND e."conversation_id" IS NOT NULL THEN 2 ELSE 0 END,
             "tools_used" = (
               SELECT COALESCE(jsonb_object_agg("name", "calls"), '{}'::jsonb)
               FROM (SELECT "name", SUM("calls")::int AS "calls"
                     FROM (SELECT "key" AS "name", ("value")::int AS "calls" FROM jsonb_each_text(s."tools_used")
                           UNION ALL
                           SELECT "name", "calls"::int FROM "calls" WHERE "type" = 'tool') t
                     GROUP BY "name") m),
             "error_logs" = CASE WHEN $14::jsonb IS NULL THEN s."error_logs" ELSE (
               SELECT COALESCE(jsonb_agg("x" ORDER BY "n"), '[]'::jsonb)
               FROM (SELECT "x", "n" FROM jsonb_array_elements(s."error_logs" || jsonb_build_array($14::jsonb)) WITH ORDINALITY AS l("x", "n")
                     ORDER BY "n" DESC LIMIT $15) kept) END,
             "last_active_at" = now(),
             "completed_at" = CASE WHEN $9 THEN now() ELSE NULL END,
             "updated_at" = now()
         FROM "ended" e
         WHERE s."id" = e."session_id"),
       "usage" AS (
         INSERT INTO "execution"."usage_daily" AS u ("owner_id", "day", "agent_id", "model", "request_count", "run_count", "prompt_tokens", "completion_tokens", "cost_micros")
         SELECT e."owner_id", (now() AT TIME ZONE 'UTC')::date, e."agent_id", c."name", c."calls", CASE WHEN c."rank" = 1 THEN 1 ELSE 0 END,
                c."prompt_tokens", c."completion_tokens", c."cost_micros"
         FROM "ended" e,
              (SELECT *, row_number() OVER (ORDER BY "calls" DESC, "name") AS "rank" FROM "calls" WHERE "type" = 'llm_call') c
         WHERE e."agent_id" IS NOT NULL
         ORDER BY c."name"
         ON CONFLICT ("owner_id", "day", "agent_id", "model") DO UPDATE
         SET "request_count" = u."request_count" + EXCLUDED."request_count", "run_count" = u."run_count" + EXCLUDED."run_count",
             "prompt_tokens" = u."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = u."completion_tokens" + EXCLUDED."completion_tokens",
             "cost_micros" = u."cost_micros" + EXCLUDED."cost_micros", "updated_at" = now()),
       "outbox" AS (
         INSERT INTO "execution"."outbox" ("id", "subject", "envelope")
         SELECT $16::uuid, $17, $18::jsonb || jsonb_build_object('data',
                  jsonb_build_object('runId', e."id", 'ownerId', e."owner_id", 'status', e."status")
                  || CASE WHEN e."agent_id" IS NOT NULL THEN jsonb_build_object('agentId', e."agent_id") ELSE '{}'::jsonb END
                  || CASE WHEN e."workflow_id" IS NOT NULL THEN jsonb_build_object('workflowId', e."workflow_id") ELSE '{}'::jsonb END
                  || CASE WHEN e."conversation_id" IS NOT NULL THEN jsonb_build_object('conversationId', e."conversation_id") ELSE '{}'::jsonb END
                  || CASE WHEN e."error" IS NOT NULL AND jsonb_typeof(e."error") <> 'null' THEN jsonb_build_object('error', e."error") ELSE '{}'::jsonb END)
         FROM "ended" e
         WHERE $16::uuid IS NOT NULL
         RETURNING "envelope")
       SELECT "ended".*, (SELECT COALESCE(jsonb_agg(c ORDER BY c."calls" DESC, c."name"), '[]'::jsonb) FROM "calls" c) AS "calls",
              (SELECT "envelope" FROM "outbox") AS "outbox_envelope",
              "event"."seq" AS "event_seq", "event"."type" AS "event_type", "event"."data" AS "event_data", "event"."created_at" AS "event_created_at"
       FROM "ended", "event"`,
      params: [
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
        also.sessionStatus,
        also.sessionError ? JSON.stringify(also.sessionError) : null,
        MAX_SESSION_ERROR_LOGS,
        also.outbox?.id ?? null,
        also.outbox?.subject ?? null,
        also.outbox?.envelope ?? null,
      ],
      prepare: true,
      read: ([row]) => {
        if (!row) return null;
        const run = this.database.hydrate(RunEntity, row);
        const event = storedEvent(runId, { seq: Number(row.event_seq), type: row.event_type as string, data: row.event_data, created_at: row.event_created_at as Date, owner_id: run.ownerId });
        return { run, event, calls: completedCalls(row.calls as CallRow[]), outboxEnvelope: row.outbox_envelope ?? null };
      },
    };
  }

  /** Plain SQL (fenced, counted): a failed attempt that may be retried: back in the queue after a pause. */
  releaseForRetry(fence: Fence, error: RunErrorInfo, delayMs: number): Promise<RunEntity | null> {
    return this.database.row(
      RunEntity,
      `UPDATE "execution"."runs"
       SET "status" = 'pending', "lease_owner" = NULL, "lease_expires_at" = NULL, "failure_count" = "failure_count" + 1, "last_error" = $4,
           "available_at" = now() + $5 * interval '1 millisecond', "updated_at" = now()
       WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running'
       RETURNING *`,
      [fence.runId, fence.attempt, fence.leaseOwner, JSON.stringify(error), delayMs],
    );
  }

  /** Plain SQL (fenced): a worker shutting down hands its run back without counting a failure. */
  async release(fence: Fence): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE "execution"."runs" SET "status" = 'pending', "lease_owner" = NULL, "lease_expires_at" = NULL, "available_at" = now(), "updated_at" = now()
       WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running'
       RETURNING "id"`,
      [fence.runId, fence.attempt, fence.leaseOwner],
    );
    return rows.length > 0;
  }

  /**
   * Plain SQL (the next step number in the statement; the row as updated): answers a locked run
   * waiting in requires_action. Each answer becomes a completed human_input step (so the next
   * attempt finds it like any completed step) and the run is queued again. The wall clock starts
   * afresh: time spent waiting for a person is not the run's to spend.
   */
  async resume(run: RunEntity, steps: ReadonlyArray<{ key: string; name: string; output: unknown }>): Promise<RunEntity> {
    for (const step of steps) {
      await this.database.query(
        `INSERT INTO "execution"."run_steps" ("id", "run_id", "seq", "step_key", "step_name", "step_type", "status", "output", "attempt", "completed_at")
         SELECT $1, $2, COALESCE((SELECT MAX("seq") FROM "execution"."run_steps" WHERE "run_id" = $2), 0) + 1, $3, $4, 'human_input', 'completed', $5, $6, now()`,
        [newId(), run.id, step.key, step.name, JSON.stringify(step.output ?? null), run.attempt],
      );
    }
    const resumed = await this.database.row(
      RunEntity,
      `UPDATE "execution"."runs" SET "status" = 'pending', "required_action" = NULL, "available_at" = now(), "deadline_at" = NULL, "updated_at" = now()
       WHERE "id" = $1 RETURNING *`,
      [run.id],
    );
    if (!resumed) throw new Error(`run ${run.id} vanished while locked`);
    return resumed;
  }

  /**
   * Plain SQL, a fenced write: the step, numbered next, and its step.started event (numbered next
   * in the run's stream), in one statement, only while the attempt holds the run.
   */
  startStepStatement(fence: Fence, step: StepBegin): Statement<StepWrite | null> {
    return {
      sql: `WITH ${FENCE},
       "step" AS (
         INSERT INTO "execution"."run_steps" ("id", "run_id", "seq", "step_key", "step_name", "step_type", "status", "input", "attempt", "model", "started_at")
         SELECT $4, $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_steps" WHERE "run_id" = $1), 0) + 1, $5, $6, $7, 'running', $8, $2, $9,
                now() - $12::float8 * interval '1 millisecond' FROM "fence"
         RETURNING ${this.database.columnList(RunStepEntity)}),
       ${stepEvent('$10', '$11')}
       ${STEP_AND_EVENT}`,
      params: [
        fence.runId,
        fence.attempt,
        fence.leaseOwner,
        step.id,
        step.key,
        step.name,
        step.type,
        JSON.stringify(step.input ?? null),
        step.model ?? null,
        'step.started',
        JSON.stringify({ name: step.name, type: step.type }),
        Math.max(0, performance.now() - step.startedAt),
      ],
      prepare: true,
      read: ([row]) => (row ? this.stepWrite(fence.runId, row) : null),
    };
  }

  /** A held step write as a statement (startStepStatement or endStepStatement). */
  heldStatement(fence: Fence, write: HeldStepWrite): Statement<StepWrite | null> {
    return 'start' in write ? this.startStepStatement(fence, write.start) : this.endStepStatement(fence, write.end);
  }

  /** Held step writes, in order, in one round trip when there are several (Database.batch): each answers null when the fence was gone. */
  async writeHeld(fence: Fence, writes: readonly HeldStepWrite[]): Promise<Array<StepWrite | null>> {
    if (writes.length === 1) return [await this.database.run(this.heldStatement(fence, writes[0]))];
    return this.database.batch(writes.map((w) => this.heldStatement(fence, w)));
  }

  /**
   * Plain SQL, a fenced write: the step's end and its event (`eventType`, with `eventData` beside
   * the step's number and key), in one statement, only while the attempt holds the run. `before`:
   * an event of the step that is stored first, numbered just before the step's (its last tokens).
   */
  endStepStatement(fence: Fence, { stepId, end, event, before, endedAt }: StepEnd): Statement<StepWrite | null> {
    return {
      sql: `WITH ${FENCE},
       "step" AS (
         UPDATE "execution"."run_steps"
         SET "status" = $5, "output" = $6, "error" = $7, "prompt_tokens" = $8, "completion_tokens" = $9, "cost_micros" = $10,
             "completed_at" = now() - $15::float8 * interval '1 millisecond', "updated_at" = now()
         WHERE "id" = $4 AND "attempt" = $2 AND "status" = 'running' AND EXISTS (SELECT 1 FROM "fence")
         RETURNING ${this.database.columnList(RunStepEntity)}),
       "before" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, $13, $14::jsonb
         FROM "step" WHERE $13::text IS NOT NULL
         RETURNING "seq", "type", "data", "created_at"),
       "event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1 + (SELECT count(*) FROM "before"), $11,
                $12::jsonb || jsonb_build_object('step', "step"."seq", 'key', "step"."step_key")
         FROM "step"
         RETURNING "seq", "type", "data", "created_at")
       SELECT "step".*, "event"."seq" AS "event_seq", "event"."type" AS "event_type", "event"."data" AS "event_data",
              "event"."created_at" AS "event_created_at", "fence"."owner_id" AS "event_owner_id",
              "before"."seq" AS "before_seq", "before"."type" AS "before_type", "before"."data" AS "before_data", "before"."created_at" AS "before_created_at"
       FROM "step" CROSS JOIN "event" CROSS JOIN "fence" LEFT JOIN "before" ON true`,
      params: [
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
        event.type,
        JSON.stringify(event.data),
        before?.type ?? null,
        before ? JSON.stringify(before.data ?? null) : null,
        endedAt === undefined ? 0 : Math.max(0, performance.now() - endedAt),
      ],
      prepare: true,
      read: ([row]) => (row ? this.stepWrite(fence.runId, row) : null),
    };
  }

  private stepWrite(runId: string, row: Record<string, unknown>): StepWrite {
    const stored = (prefix: 'event' | 'before') =>
      storedEvent(runId, {
        seq: Number(row[`${prefix}_seq`]),
        type: row[`${prefix}_type`] as string,
        data: row[`${prefix}_data`],
        created_at: row[`${prefix}_created_at`] as Date,
        owner_id: row.event_owner_id as string,
      });
    return { step: this.database.hydrate(RunStepEntity, row), event: stored('event'), ...(row.before_seq != null ? { before: stored('before') } : {}) };
  }


  /** Plain SQL (every claim and end): marks the run's unfinished steps abandoned, their attempt is over and they will never finish. */
  async abandonRunningSteps(runId: string): Promise<void> {
    await this.database.query(`UPDATE "execution"."run_steps" SET "status" = 'abandoned', "updated_at" = now() WHERE "run_id" = $1 AND "status" = 'running'`, [runId]);
  }

  /** Plain SQL (every attempt reads its journal): the run's steps in order, or those of one status. */
  listSteps(runId: string, status?: StepStatus): Promise<RunStepEntity[]> {
    return this.database.rows(
      RunStepEntity,
      `SELECT * FROM "execution"."run_steps" WHERE "run_id" = $1 AND ($2::text IS NULL OR "status" = $2) ORDER BY "seq"`,
      [runId, status ?? null],
    );
  }

  /** Plain SQL: a batch of the steps (the journal) of runs that ended before `endedBefore`; how many went. */
  async deleteStepsOfRunsEndedBefore(endedBefore: Date, batch: number): Promise<number> {
    const rows = await this.database.query<{ id: string }>(
      `DELETE FROM "execution"."run_steps" WHERE "id" IN (
         SELECT s."id" FROM "execution"."run_steps" s JOIN "execution"."runs" r ON r."id" = s."run_id"
         WHERE r."status" IN ('completed', 'failed', 'cancelled', 'expired') AND r."completed_at" < $1 LIMIT $2)
       RETURNING "id"`,
      [endedBefore, batch],
    );
    return rows.length;
  }
}

/** One group of a run's completed calls, as the ending statement sums them (counts and sums are bigint: JSON numbers here). */
interface CallRow {
  type: StepType;
  name: string;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micros: number;
}

function completedCalls(rows: readonly CallRow[]): CompletedCalls {
  const calls: CompletedCalls = { tools: {}, models: [] };
  for (const r of rows) {
    if (r.type === 'tool') calls.tools[r.name] = Number(r.calls);
    else
      calls.models.push({
        model: r.name,
        calls: Number(r.calls),
        promptTokens: Number(r.prompt_tokens),
        completionTokens: Number(r.completion_tokens),
        costMicros: Number(r.cost_micros),
      });
  }
  return calls;
}
