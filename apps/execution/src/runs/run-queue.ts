import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { BROADCAST, type Broadcast } from '#messaging';
import { isUniqueViolation } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { RunEndings } from './run-endings.js';
import { RunEventsHub } from './run-events-hub.js';
import { RunsErrors } from './runs.errors.js';
import { RunsRepository } from './runs.repository.js';
import type { EnqueueRunRequest, Run, RunEvent, RunStep } from './run.types.js';

/** Broadcast subjects: hints that every replica hears. The database stays the truth. */
export const RUNS_WAKE_SUBJECT = 'execution.runs.wake';
export const RUNS_CANCEL_SUBJECT = 'execution.runs.cancel';

export interface RunCancelHint {
  runId: string;
}

const MAX_EVENTS_PAGE = 1000;

export interface EnqueueOptions {
  /** Runs inside the insert's transaction, before the insert; throwing refuses the run. */
  beforeInsert?: (manager: EntityManager) => Promise<void>;
}

export interface CancelOutcome {
  run: Run;
  /** The run is running: its worker must be told (after the commit). */
  notifyWorker: boolean;
}

/**
 * The producer side of the queue: what the HTTP layer and the agent loop call. Executing runs is
 * the RunWorker's job; this only writes rows and nudges workers.
 */
@Injectable()
export class RunQueue {
  constructor(
    private readonly repository: RunsRepository,
    private readonly endings: RunEndings,
    private readonly hub: RunEventsHub,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  /**
   * Queues a run, or returns the run this owner's idempotency key already created (`created`
   * false). Idle workers are woken after the commit; if the hint is lost, their poll finds it.
   * `beforeInsert` runs in the insert's transaction and may throw to refuse the run; it never runs
   * for a key that already made a run.
   */
  async enqueue(request: EnqueueRunRequest, options: EnqueueOptions = {}): Promise<{ run: Run; created: boolean }> {
    const timeoutMs = this.timeoutFor(request.limits?.timeoutMs);
    const key = request.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > 255)) throw RunsErrors.badInput('idempotencyKey must be 1 to 255 characters');
    if (key !== undefined) {
      const existing = await this.repository.findByIdempotencyKey(request.ownerId, key);
      if (existing) return { run: existing, created: false };
    }
    const target = request.target;
    const guard = options.beforeInsert;
    let inserted: Run | null;
    let existingInTransaction: Run | null = null;
    try {
      inserted = await this.dataSource.transaction(async (manager) => {
        if (guard) {
          // A guard may refuse what a concurrent twin with the same key just created (e.g. "the
          // conversation is busy"): under the key's lock the twin is seen and returned instead.
          if (key !== undefined) existingInTransaction = await this.repository.lockIdempotencyKey(manager, request.ownerId, key);
          if (existingInTransaction) return null;
          await guard(manager);
        }
        const run = await this.repository.insert(manager, {
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
          idempotencyKey: key ?? null,
          traceId: request.traceId ?? null,
          background: request.background ?? false,
          keyHolder: request.keyHolder ?? null,
          agentSnapshot: target.kind === 'agent' ? (request.targetSnapshot ?? null) : null,
        });
        if (run) await this.repository.appendEventLocked(manager, run.id, 'run.queued', { status: 'pending' });
        return run;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      inserted = null;
    }
    if (!inserted) {
      // Another request with the same key won the race; it is the run.
      const existing = existingInTransaction ?? (key === undefined ? null : await this.repository.findByIdempotencyKey(request.ownerId, key));
      if (!existing) throw new Error('idempotent enqueue found neither a new nor an existing run');
      return { run: existing, created: false };
    }
    this.broadcast.publish(RUNS_WAKE_SUBJECT, { runId: inserted.id });
    this.hub.notify(inserted.id);
    return { run: inserted, created: true };
  }

  /**
   * Cancels a run. One that no worker holds (pending, requires_action) ends here; a running one is
   * marked and its worker told, and that worker ends it (the heartbeat notices the mark if the
   * broadcast is lost). Cancelling a finished run is a conflict.
   */
  async requestCancel(runId: string, ownerId?: string): Promise<Run> {
    const cancel = await this.dataSource.transaction((manager) => this.cancelInTransaction(manager, runId, ownerId));
    this.announceCancel(cancel);
    return cancel.run;
  }

  /**
   * requestCancel's work in the caller's transaction (e.g. a new run interrupting the active one).
   * The caller must pass the result to announceCancel after its commit, and only then.
   */
  async cancelInTransaction(manager: EntityManager, runId: string, ownerId?: string): Promise<CancelOutcome> {
    const locked = await this.repository.lock(manager, runId, ownerId);
    if (!locked) throw RunsErrors.notFound();
    if (locked.status === 'running') {
      await this.repository.markCancelRequested(manager, runId);
      return { run: { ...locked, cancelRequestedAt: locked.cancelRequestedAt ?? new Date() }, notifyWorker: true };
    }
    if (locked.status !== 'pending' && locked.status !== 'requires_action') throw RunsErrors.alreadyFinished(locked.status);
    await this.repository.markCancelRequested(manager, runId);
    const ended = await this.endings.end(manager, runId, null, { status: 'cancelled', outputPartial: locked.output !== null });
    return { run: ended ?? locked, notifyWorker: false };
  }

  /** After the commit of a cancel: tells the worker holding a running run, and wakes the run's readers. */
  announceCancel(cancel: CancelOutcome): void {
    if (cancel.notifyWorker) this.broadcast.publish<RunCancelHint>(RUNS_CANCEL_SUBJECT, { runId: cancel.run.id });
    // Ended here: a run queued behind it in the same conversation may start now.
    else this.broadcast.publish(RUNS_WAKE_SUBJECT, { runId: cancel.run.id });
    this.hub.notify(cancel.run.id);
  }

  /**
   * Brings the answer a run in requires_action waits for (a client-side tool's result, a person's
   * input), stored as the completed step `stepKey`, and queues the run to continue from there.
   */
  async resume(runId: string, answers: ReadonlyArray<{ stepKey: string; stepName?: string; output: unknown }>, ownerId?: string): Promise<Run> {
    if (answers.length === 0 || answers.some((a) => a.stepKey.length === 0)) throw RunsErrors.badInput('every answer needs a step key');
    const run = await this.dataSource.transaction(async (manager) => {
      const locked = await this.repository.lock(manager, runId, ownerId);
      if (!locked) throw RunsErrors.notFound();
      if (locked.status !== 'requires_action') throw RunsErrors.notWaiting(locked.status);
      if (locked.cancelRequestedAt) throw RunsErrors.alreadyFinished('cancelled');
      const resumed = await this.repository.resumeLocked(
        manager,
        locked,
        answers.map((a) => ({ key: a.stepKey, name: a.stepName ?? a.stepKey, output: a.output })),
      );
      await this.repository.appendEventLocked(manager, runId, 'run.resumed', { status: 'pending', stepKeys: answers.map((a) => a.stepKey) });
      return resumed;
    });
    this.broadcast.publish(RUNS_WAKE_SUBJECT, { runId });
    this.hub.notify(runId);
    return run;
  }

  get(runId: string, ownerId?: string): Promise<Run | null> {
    return this.repository.find(runId, ownerId);
  }

  /** Every step of every attempt, in order (abandoned and failed ones included). */
  steps(runId: string): Promise<RunStep[]> {
    return this.repository.listSteps(runId);
  }

  /** Stored events after `afterSeq` (0 for all), oldest first: what an SSE reconnect replays. */
  readEvents(runId: string, afterSeq = 0, limit = MAX_EVENTS_PAGE): Promise<RunEvent[]> {
    return this.repository.readEvents(runId, Math.max(0, Math.floor(afterSeq)), Math.min(Math.max(1, limit), MAX_EVENTS_PAGE));
  }

  private timeoutFor(requested: number | undefined): number {
    const capMs = this.config.runTimeoutMaxSeconds * 1000;
    if (requested === undefined) return Math.min(this.config.runTimeoutSeconds * 1000, capMs);
    if (!Number.isSafeInteger(requested) || requested <= 0) throw RunsErrors.badInput('limits.timeoutMs must be a positive integer');
    return Math.min(requested, capMs);
  }
}
