import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { FINAL_RUN_STATUSES, type RunKind, type RunStatus } from '#contracts';
import { BROADCAST, type Broadcast } from '#messaging';
import { Tracing } from '#observability';
import { Database, isUniqueViolation, newId } from '#persistence';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { RunEventsService } from '../run-events/run-events.service.js';
import { EphemeralKeys } from './ephemeral-keys.js';
import { ExecutorRegistry } from './executor-registry.js';
import { RunEndings } from './run-endings.js';
import { RunErrors } from './run-engine.errors.js';
import { type NewRun, RunEngineRepository, type RunListFilter, type RunSessionWrite } from './run-engine.repository.js';
import type { RunExecutor } from './run-executor.js';
import { RUNS_CANCEL_SUBJECT, RUNS_WAKE_SUBJECT, type RunCancelHint, type RunWakeHint } from './run-hints.js';
import type { RunStepEntity } from './run-step.entity.js';
import { RunEntity, type RunLimits } from './run.entity.js';
import { RunWorker } from './run-worker.js';

export { LeaseLostError, RunErrors, RunFailure } from './run-engine.errors.js';
export type { FinishPatch, RunSessionWrite } from './run-engine.repository.js';
export type { ExecutorResult, RunContext, RunExecutor, StepFinish, StepJournal } from './run-executor.js';
export type { RunStepEntity } from './run-step.entity.js';
export type { RunEntity, RunLimits, RunUsage } from './run.entity.js';
export { RunStages } from './run-stages.js';

export type RunTarget = { kind: 'agent'; agentId: string; agentVersion: number } | { kind: 'workflow'; workflowId: string; workflowVersion: number };

export interface EnqueueRunRequest {
  ownerId: string;
  target: RunTarget;
  input: unknown;
  conversationId?: string;
  sessionId?: string;
  limits?: RunLimits;
  /** The same key from the same owner returns the run it first created. */
  idempotencyKey?: string;
  traceId?: string;
  /** Nobody waits on the answer: its end is announced as a notification. */
  background?: boolean;
  /** The worker that holds, in memory only, a key sent with the request: only it may run the run. */
  keyHolder?: string;
  /** Called when the run ends; the caller has checked it against the outbound policy. */
  webhookUrl?: string;
  /** What the target resolved to when queued (an agent's or a workflow's pinned version), so workers need not ask again. */
  targetSnapshot?: unknown;
}

export interface Queued {
  run: RunEntity;
  /** False when the owner's idempotency key had already made the run. */
  created: boolean;
}

export interface CancelOutcome {
  run: RunEntity;
  /** The run is running: its worker must be told (after the commit). */
  notifyWorker: boolean;
}

const isFinal = (status: RunStatus) => FINAL_RUN_STATUSES.includes(status);

/**
 * The run queue and its workers, as the rest of the service sees them. Queueing is a few steps
 * that the owner of a use case calls inside its own transaction (lock, look, insert), then an
 * announcement after the commit; executing runs is the RunWorker's, which claims rows under a
 * lease and writes every step through a fenced journal.
 */
@Injectable()
export class RunEngineService {
  constructor(
    private readonly repository: RunEngineRepository,
    private readonly endings: RunEndings,
    private readonly worker: RunWorker,
    private readonly executors: ExecutorRegistry,
    private readonly keys: EphemeralKeys,
    private readonly events: RunEventsService,
    private readonly database: Database,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  /**
   * Queues a run (or answers the run the owner's idempotency key already made), then wakes the
   * workers: the whole of queueing for a producer with no rules of its own. The run API's start
   * calls the same steps with its own between them.
   */
  async enqueue(request: EnqueueRunRequest): Promise<Queued> {
    let queued: Queued;
    try {
      queued = await this.database.transaction(async () => {
        const twin = await this.lockIdempotencyKey(request.ownerId, request.idempotencyKey);
        if (twin) return { run: twin, created: false };
        const { run } = await this.insert(request);
        if (!run) throw new Error('a run insert without a cap wrote no run');
        return { run, created: true };
      });
    } catch (err) {
      queued = { run: await this.twinAfterRace(err, request.ownerId, request.idempotencyKey), created: false };
    }
    if (queued.created) this.announceQueued(queued.run);
    return queued;
  }

  /**
   * In the caller's transaction, before anything else it decides: the run this owner's
   * idempotency key already made, seen under the key's lock (so a concurrent twin is seen once it
   * commits, and returned rather than refused by the caller's rules); null for a new key or none.
   */
  async lockIdempotencyKey(ownerId: string, key: string | undefined): Promise<RunEntity | null> {
    if (key === undefined) return null;
    if (key.length === 0 || key.length > 255) throw RunErrors.badInput('idempotencyKey must be 1 to 255 characters');
    await this.repository.advisoryLock(`execution.runs.idempotency:${ownerId}:${key}`);
    return this.repository.findByIdempotencyKey(ownerId, key);
  }

  /**
   * In the caller's transaction: concurrent starts of one owner decide one after another, each
   * seeing the others' runs (insert takes it too, so a start that decides nothing before its insert
   * needs no statement of its own for it).
   */
  lockOwner(ownerId: string): Promise<void> {
    return this.repository.advisoryLock(ownerLock(ownerId));
  }

  /** In the caller's transaction: takes the conversation's turn (starts in it decide one after another) and answers its runs that have not ended, locked, oldest first. */
  async lockConversation(conversationId: string): Promise<RunEntity[]> {
    await this.repository.advisoryLock(`execution.runs.conversation:${conversationId}`);
    return this.repository.lockActiveByConversation(conversationId);
  }

  /**
   * The owner's turn, then the run with its run.queued event and its session, in one statement
   * (see RunEngineRepository.insert): atomic without a transaction, or in the caller's. Refused
   * (null, nothing written) when the owner already has `cap` runs pending or running; answers how
   * many there were. With `leased` (a slot reserveSlot() held), it is written running, leased to
   * this process's worker, which executes it after the commit without claiming it. Its events go
   * out live once committed. Announce it after the commit.
   */
  async insert(
    request: EnqueueRunRequest,
    leased = false,
    session?: RunSessionWrite,
    cap = Number.MAX_SAFE_INTEGER,
  ): Promise<{ run: RunEntity | null; activeBefore: number }> {
    return this.write(this.newRunOf(request), leased, session, cap);
  }

  /**
   * insert() leased to this process's worker, in a slot reserveSlot() held, with the run started
   * at once rather than after the commit: its statement and the run's first work (equipping it,
   * sending its first model call) go at the same time. `leasedAt` as for announceQueued. Until
   * the statement commits nothing of the run is written (the journal's writes and the run's end
   * wait for it) and no lease is renewed; if it is refused or fails, the run's work is stopped at
   * once (its model call with it) and nothing of it is written. The key sent with the request is
   * held for the run meanwhile. Answers as insert() does; announce nothing after it.
   */
  insertStarted(
    request: EnqueueRunRequest,
    leasedAt: number,
    session: RunSessionWrite | undefined,
    cap: number,
    apiKey?: string,
  ): Promise<{ run: RunEntity | null; activeBefore: number }> {
    const fields = this.newRunOf(request);
    const run = this.unwritten(fields);
    if (apiKey !== undefined) this.holdProviderKey(run, apiKey);
    const writing = this.write(fields, true, session, cap);
    const written = writing.then(
      (answer) => answer.run,
      () => null,
    );
    void written.then((row) => {
      if (!row) this.forgetProviderKey(run.id);
    });
    this.worker.adopt(run, run.timeoutMs, leasedAt, written);
    return writing;
  }

  /** The row a leased insert of `fields` writes, as known before it is written: what executing it first reads is exact; the rest (timestamps) is replaced by the row once committed. */
  private unwritten(fields: NewRun & { id: string }): RunEntity {
    const now = new Date();
    const later = (ms: number) => new Date(now.getTime() + ms);
    return Object.assign(new RunEntity(), {
      ...fields,
      createdAt: now,
      updatedAt: now,
      status: 'running' as const,
      output: null,
      outputPartial: false,
      requiredAction: null,
      error: null,
      lastError: null,
      usage: { promptTokens: 0, completionTokens: 0, costMicros: 0 },
      deadlineAt: later(fields.timeoutMs),
      leaseOwner: this.worker.id,
      leaseExpiresAt: later(this.config.leaseMs),
      attempt: 1,
      failureCount: 0,
      availableAt: now,
      cancelRequestedAt: null,
      startedAt: now,
      completedAt: null,
    });
  }

  /** The columns a run is written with, its id chosen here. */
  private newRunOf(request: EnqueueRunRequest): NewRun & { id: string } {
    const timeoutMs = this.timeoutFor(request.limits?.timeoutMs);
    const target = request.target;
    return {
      id: newId(),
      ownerId: request.ownerId,
      kind: target.kind,
      agentId: target.kind === 'agent' ? target.agentId : null,
      agentVersion: target.kind === 'agent' ? target.agentVersion : null,
      workflowId: target.kind === 'workflow' ? target.workflowId : null,
      workflowVersion: target.kind === 'workflow' ? target.workflowVersion : null,
      conversationId: request.conversationId ?? null,
      sessionId: request.sessionId ?? null,
      input: request.input,
      limits: { ...request.limits, timeoutMs },
      timeoutMs,
      idempotencyKey: request.idempotencyKey ?? null,
      traceId: request.traceId ?? null,
      traceParent: Tracing.traceparent() ?? null,
      background: request.background ?? false,
      keyHolder: request.keyHolder ?? null,
      agentSnapshot: target.kind === 'agent' ? (request.targetSnapshot ?? null) : null,
      workflowSnapshot: target.kind === 'workflow' ? (request.targetSnapshot ?? null) : null,
      webhookUrl: request.webhookUrl ?? null,
    };
  }

  private async write(
    fields: NewRun & { id: string },
    leased: boolean,
    session: RunSessionWrite | undefined,
    cap: number,
  ): Promise<{ run: RunEntity | null; activeBefore: number }> {
    const { run, events, activeBefore } = await this.repository.insert(
      fields,
      { lock: ownerLock(fields.ownerId), cap },
      leased ? { owner: this.worker.id, leaseMs: this.config.leaseMs } : undefined,
      session,
    );
    for (const event of events) this.events.publishAfterCommit(event);
    return { run, activeBefore };
  }

  /**
   * A queueing transaction failed: when on the owner's idempotency key (a twin committed first),
   * the twin is the run; anything else is thrown again.
   */
  async twinAfterRace(err: unknown, ownerId: string, key: string | undefined): Promise<RunEntity> {
    if (!isUniqueViolation(err) || key === undefined) throw err;
    const twin = await this.repository.findByIdempotencyKey(ownerId, key);
    if (!twin) throw err;
    return twin;
  }

  /**
   * After the commit of a queued run: idle workers look now (their poll finds it if the hint is
   * lost), and its readers too (its events went out live with the commit). A run written leased
   * to this process's worker starts there; `leasedAt` is performance.now() read before the
   * statement that wrote the lease was sent (unknown: the lease counts as old).
   */
  announceQueued(run: RunEntity, leasedAt = Number.NEGATIVE_INFINITY): void {
    if (run.status === 'running' && run.leaseOwner === this.worker.id) {
      this.worker.adopt(run, run.timeoutMs, leasedAt);
      return;
    }
    this.wakeWorkers(run.id);
    this.events.notify(run.id, { published: true });
  }

  /** Holds a slot of this process's worker for a run the caller will insert leased (see insert); false when it has none free. */
  reserveSlot(kind: RunKind): boolean {
    return this.worker.reserve(kind);
  }

  /** Gives back a slot reserveSlot() held for a run that was not inserted leased. */
  releaseSlot(): void {
    this.worker.release();
  }

  /**
   * Cancels a run. One that no worker holds (pending, requires_action) ends here; a running one is
   * marked and its worker told, and that worker ends it (the heartbeat notices the mark if the
   * broadcast is lost). Cancelling a finished run is a conflict.
   */
  async requestCancel(runId: string, ownerId?: string): Promise<RunEntity> {
    const cancel = await this.database.transaction(() => this.cancel(runId, ownerId));
    this.announceCancel(cancel);
    return cancel.run;
  }

  /** requestCancel's work in the caller's transaction (e.g. a new run interrupting the active one). Pass the outcome to announceCancel after the commit, and only then. */
  async cancel(runId: string, ownerId?: string): Promise<CancelOutcome> {
    const locked = await this.repository.lock(runId, ownerId);
    if (!locked) throw RunErrors.notFound();
    if (locked.status === 'running') {
      await this.repository.markCancelRequested(runId);
      locked.cancelRequestedAt ??= new Date();
      return { run: locked, notifyWorker: true };
    }
    if (locked.status !== 'pending' && locked.status !== 'requires_action') throw RunErrors.alreadyFinished(locked.status);
    await this.repository.markCancelRequested(runId);
    const ended = await this.endings.end(runId, null, { status: 'cancelled', outputPartial: locked.output !== null });
    return { run: ended ?? locked, notifyWorker: false };
  }

  /** After the commit of a cancel: tells the worker holding a running run, and wakes the run's readers. */
  announceCancel(cancel: CancelOutcome): void {
    if (cancel.notifyWorker) this.broadcast.publish<RunCancelHint>(RUNS_CANCEL_SUBJECT, { runId: cancel.run.id });
    // Ended here: a run queued behind it in the same conversation may start now.
    else this.wakeWorkers(cancel.run.id);
    this.events.notify(cancel.run.id);
  }

  /**
   * Brings the answer a run in requires_action waits for (a client-side tool's result, a person's
   * input), stored as the completed step `stepKey`, and queues the run to continue from there.
   */
  async resume(
    runId: string,
    answers: ReadonlyArray<{ stepKey: string; stepName?: string; output: unknown }>,
    ownerId?: string,
    /** Events the answer makes, appended after run.resumed (a human node's node.completed). */
    events: ReadonlyArray<{ type: string; data: unknown }> = [],
  ): Promise<RunEntity> {
    if (answers.length === 0 || answers.some((a) => a.stepKey.length === 0)) throw RunErrors.badInput('every answer needs a step key');
    const run = await this.database.transaction(async () => {
      const locked = await this.repository.lock(runId, ownerId);
      if (!locked) throw RunErrors.notFound();
      if (locked.status !== 'requires_action') throw RunErrors.notWaiting(locked.status);
      if (locked.cancelRequestedAt) throw RunErrors.alreadyFinished('cancelled');
      const resumed = await this.repository.resume(
        locked,
        answers.map((a) => ({ key: a.stepKey, name: a.stepName ?? a.stepKey, output: a.output })),
      );
      await this.events.append(runId, 'run.resumed', { status: 'pending', stepKeys: answers.map((a) => a.stepKey) });
      for (const event of events) await this.events.append(runId, event.type, event.data);
      return resumed;
    });
    this.wakeWorkers(runId);
    this.events.notify(runId);
    return run;
  }

  /** With an owner, another owner's run is not found (null). */
  get(runId: string, ownerId?: string): Promise<RunEntity | null> {
    return this.repository.find(runId, ownerId);
  }

  /** An owner's runs, newest first, after the (created_at, id) position of the previous page; each with its position. */
  list(filter: RunListFilter): Promise<Array<{ run: RunEntity; createdKey: string }>> {
    return this.repository.listByOwner(filter);
  }

  /** Every step of every attempt, in order (abandoned and failed ones included). */
  steps(runId: string): Promise<RunStepEntity[]> {
    return this.repository.listSteps(runId);
  }

  /** Executors register themselves for their kind of run; a worker claims only kinds it can run. */
  register(kind: RunKind, executor: RunExecutor): void {
    this.executors.register(kind, executor);
  }

  /** The holder a run names when a provider key came with its request: this process's worker, the only one that may run it. */
  get keyHolder(): string {
    return this.worker.id;
  }

  /** Holds a key sent with the request in memory, for the run's worker (here), while the run may still need it. */
  holdProviderKey(run: RunEntity, apiKey: string): void {
    if (run.keyHolder === this.worker.id && !isFinal(run.status)) this.keys.put(run.id, apiKey, run.timeoutMs + this.config.leaseMs);
  }

  providerKeyOf(runId: string): string | undefined {
    return this.keys.get(runId);
  }

  forgetProviderKey(runId: string): void {
    this.keys.delete(runId);
  }

  /**
   * In the inbox transaction of an agent's deletion: its runs that have not started (or wait for
   * input) are cancelled, so nothing starts spending for an agent its owner removed. Runs already
   * executing finish on the version they pinned; the owner can cancel them.
   */
  async cancelWaitingRunsOf(ownerId: string, agentId: string): Promise<void> {
    const ids = await this.repository.lockWaitingByAgent(ownerId, agentId);
    for (const id of ids) await this.endings.end(id, null, { status: 'cancelled', error: { code: 'AGENT_DELETED', message: 'the agent was deleted' } });
  }

  /**
   * In the inbox transaction of a user's deletion: their runs go for good with their steps and
   * events. A worker still executing one loses its fence with the row, so it stops writing; the
   * cancel hint makes it stop spending at once rather than at its next write or heartbeat. The hint
   * goes out before the commit, but the worker's own ending waits on the row lock and then finds no
   * row; only if this transaction rolled back would the run end cancelled, and redelivery deletes
   * it anyway.
   */
  async deleteAllOf(ownerId: string): Promise<void> {
    const ids = await this.repository.deleteByOwner(ownerId);
    for (const runId of ids) this.broadcast.publish<RunCancelHint>(RUNS_CANCEL_SUBJECT, { runId });
  }

  /** After a commit that made a run claimable: this process's worker looks at once, the other replicas' on the hint. */
  private wakeWorkers(runId: string): void {
    this.worker.wake('new');
    this.broadcast.publish<RunWakeHint>(RUNS_WAKE_SUBJECT, { runId, from: this.worker.id });
  }

  private timeoutFor(requested: number | undefined): number {
    const capMs = this.config.runTimeoutMaxSeconds * 1000;
    if (requested === undefined) return Math.min(this.config.runTimeoutSeconds * 1000, capMs);
    if (!Number.isSafeInteger(requested) || requested <= 0) throw RunErrors.badInput('limits.timeoutMs must be a positive integer');
    return Math.min(requested, capMs);
  }
}

/** The name of the lock under which one owner's starts decide one after another. */
function ownerLock(ownerId: string): string {
  return `execution.runs.owner:${ownerId}`;
}
