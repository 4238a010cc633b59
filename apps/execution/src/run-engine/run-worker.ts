import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import type { RunErrorInfo, RunKind } from '#contracts';
import { BROADCAST, type Broadcast } from '#messaging';
import { type Attributes, describeError, RequestContext, rootLogger, Tracing } from '#observability';
import { ActingUser, Database } from '#persistence';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { type Fence, RunEventsService } from '../run-events/run-events.service.js';
import { ExecutorRegistry } from './executor-registry.js';
import { RunEndings } from './run-endings.js';
import { RunStages } from './run-stages.js';
import { LeaseLostError, RunFailure } from './run-engine.errors.js';
import { type ClaimCandidate, type FinishPatch, RunEngineRepository } from './run-engine.repository.js';
import type { AbortReason, ExecutorResult } from './run-executor.js';
import { RUNS_CANCEL_SUBJECT, RUNS_WAKE_SUBJECT, type RunCancelHint, type RunWakeHint } from './run-hints.js';
import type { RunEntity } from './run.entity.js';
import { FencedStepJournal } from './step-journal.js';

/**
 * A run this worker leased: `leasedAt` is this process's monotonic clock (performance.now()) read
 * before the statement that set the lease was sent, so the lease cannot end before leasedAt plus
 * the lease's length, whatever the database's clock says.
 */
interface Leased {
  run: RunEntity;
  remainingMs: number;
  leasedAt: number;
  /** Set when the run starts before the statement that writes it has committed: the row once it is, null if it never is. */
  written?: Promise<RunEntity | null>;
}

interface ActiveRun {
  run: RunEntity;
  fence: Fence;
  /** When the lease was last taken or renewed (see Leased). */
  leasedAt: number;
  journal: FencedStepJournal;
  controller: AbortController;
  deadline: NodeJS.Timeout;
  /** Whether the run's row is written: false until its insert commits (see Leased.written); then nothing renews the lease. */
  written: boolean;
  /** For a run started before it was written: whether it ever is (its end waits for this). */
  writing?: Promise<boolean>;
}

type Outcome = { kind: 'result'; result: ExecutorResult } | { kind: 'error'; error: unknown } | { kind: 'aborted'; reason: AbortReason };

/**
 * Executes queued runs. The database decides who works: claims lock rows with SKIP LOCKED and
 * take a lease that a heartbeat renews; broadcasts only make idle workers look sooner (wake) or
 * stop sooner (cancel). Every write of an attempt is fenced by its attempt number and lease, so
 * a worker that lost its run (paused, partitioned, presumed dead) cannot change it any more.
 */
@Injectable()
export class RunWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  /** The lease owner this worker writes; unique per worker instance, readable in the runs table. */
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly log = rootLogger().child({ component: 'run-worker' });
  private readonly active = new Map<string, ActiveRun>();
  private readonly executions = new Set<Promise<void>>();
  private started = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => void> = [];
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  /** The next look must be a whole one (see wake). */
  private lookAtAll = false;
  /** A claim found no free slot: the next run to end here looks for work. */
  private full = false;
  /** Slots held for runs this process is starting itself (see reserve). */
  private reserved = 0;
  private lastBeatAt = Date.now();

  constructor(
    private readonly repository: RunEngineRepository,
    private readonly executors: ExecutorRegistry,
    private readonly endings: RunEndings,
    private readonly events: RunEventsService,
    private readonly database: Database,
    private readonly stages: RunStages,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.workerConcurrency > 0) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Ids of the runs this worker is executing now. */
  activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  start(): void {
    if (this.started || this.config.workerConcurrency === 0) return;
    this.started = true;
    this.lastBeatAt = Date.now();
    this.unsubscribe = [
      this.broadcast.subscribe<RunWakeHint>(RUNS_WAKE_SUBJECT, (hint) => {
        // This worker's own hint comes back too: it was woken in process when the run was queued.
        if (hint?.from !== this.id) this.wake('new');
      }),
      this.broadcast.subscribe<RunCancelHint>(RUNS_CANCEL_SUBJECT, (hint) => {
        if (typeof hint?.runId === 'string') this.abort(hint.runId, 'cancelled');
      }),
    ];
    this.pollTimer = setInterval(() => this.wake('all'), this.config.pollMs);
    this.pollTimer.unref();
    this.heartbeatTimer = setInterval(() => void this.beat(), this.config.heartbeatMs);
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** Graceful: stops claiming and hands every held run back to the queue without counting a failure. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.halt();
    await this.claiming; // a claim in flight hands back what it leased once it sees the worker stopped
    for (const runId of this.active.keys()) this.abort(runId, 'shutdown');
    await Promise.allSettled([...this.executions]);
  }

  /**
   * What a process killed with -9 leaves behind: no more heartbeats, claims or broadcasts, and
   * nothing handed back, so its runs wait for their leases to expire. Executors already running
   * are left to finish on their own; any write they make is fenced off once another worker has
   * taken the run. Tests use it to play a dead (or frozen, then late) worker.
   */
  abandon(): void {
    this.halt();
    for (const entry of this.active.values()) clearTimeout(entry.deadline);
    this.active.clear();
  }

  /**
   * Looks for work now. 'new' (what queueing, a resume, a cancel and their broadcast ask for) looks
   * only for runs ready to start, and takes them in one statement; 'all' (the poll, a start) also
   * takes over runs whose worker stopped renewing its lease and ends those that must not run again
   * (cancelled, past their deadline, out of attempts), in a transaction.
   */
  wake(look: 'new' | 'all' = 'all'): void {
    if (!this.started) return;
    if (look === 'all') this.lookAtAll = true;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    // The queue holds every user's runs: claiming (and ending what must not run again) is a system path.
    this.claiming = ActingUser.system('run worker: claim runs', () => this.claimWhileWork())
      .catch((err: unknown) => this.log.warn(describeError(err), 'claiming runs failed; the next poll retries'))
      .finally(() => {
        this.claiming = undefined;
      });
  }

  /**
   * Holds a slot for a run of this kind that the caller is about to write already leased to this
   * worker (no claim: the run starts here as soon as it is committed). False when this worker
   * cannot take it now (stopped, busy, no executor): the run is queued as usual. Pass the run to
   * adopt() once committed, or call release() if it was not made.
   */
  reserve(kind: RunKind): boolean {
    if (!this.started || !this.executors.get(kind) || this.config.workerConcurrency - this.active.size - this.reserved <= 0) return false;
    this.reserved += 1;
    return true;
  }

  release(): void {
    this.reserved = Math.max(0, this.reserved - 1);
  }

  /**
   * Executes a run written leased to this worker, in the slot reserve() held: a committed one, or
   * one whose insert is still on its way (`written`, see Leased).
   */
  adopt(run: RunEntity, remainingMs: number, leasedAt: number, written?: Promise<RunEntity | null>): void {
    this.release();
    // Its insert published its first events live.
    if (written) void written.then((row) => row && this.events.notify(run.id, { published: true }));
    else this.events.notify(run.id, { published: true });
    this.stages.mark(run.id, 'adopted');
    void this.executeLeased([{ run, remainingMs, leasedAt, written }]).catch((err: unknown) => this.log.error({ ...describeError(err), runId: run.id }, 'could not start a run'));
  }

  private halt(): void {
    this.started = false;
    clearInterval(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    for (const stop of this.unsubscribe) stop();
    this.unsubscribe = [];
  }

  private async claimWhileWork(): Promise<void> {
    for (;;) {
      this.claimAgain = false;
      const free = this.config.workerConcurrency - this.active.size - this.reserved;
      const kinds = this.executors.kinds();
      if (free <= 0) this.full = true;
      if (!this.started || free <= 0 || kinds.length === 0) return;
      const all = this.lookAtAll;
      this.lookAtAll = false;
      const examined = all ? await this.claimBatch(kinds, free) : await this.claimReady(kinds, free);
      // Fewer than asked for: nothing else was there to take when it looked (later changes wake it again).
      if (examined < free && !this.claimAgain) return;
    }
  }

  /** One statement: leases runs ready to start (with their run.started events), then executes them. Returns how many it took. */
  private async claimReady(kinds: RunKind[], limit: number): Promise<number> {
    const begun = this.stages.now();
    const leasedAt = performance.now();
    const leased = (await this.repository.claimReady(kinds, limit, this.id, this.config.leaseMs, this.config.maxAttempts)).map((l) => ({ ...l, leasedAt }));
    for (const { run } of leased) this.events.notify(run.id);
    for (const { run } of leased) {
      this.stages.mark(run.id, 'claim.begun', begun);
      this.stages.mark(run.id, 'claim.committed');
    }
    await this.executeLeased(leased);
    return leased.length;
  }

  /** One transaction: lock candidates, end those that must not run again, lease the rest. Returns how many rows it looked at. */
  private async claimBatch(kinds: RunKind[], limit: number): Promise<number> {
    const begun = this.stages.now();
    const leasedAt = performance.now();
    const leased: Leased[] = [];
    let examined = 0;
    const touched: string[] = [];
    await this.database.transaction(async () => {
      const candidates = await this.repository.lockClaimable(kinds, limit, this.id, this.config.leaseMs);
      examined = candidates.length;
      touched.push(...candidates.map((c) => c.id));
      for (const candidate of candidates) {
        const checked = this.accountForLostWorker(candidate);
        if (checked.cancelRequested) {
          await this.endings.end(checked.id, null, { status: 'cancelled' });
        } else if (checked.pastDeadline) {
          await this.endings.end(checked.id, null, { status: 'expired', error: timeoutError() });
        } else if (checked.failureCount >= this.config.maxAttempts) {
          await this.endings.end(checked.id, null, { status: 'failed', error: gaveUp(checked.failureCount, checked.lastError) });
        } else {
          // Writes the run.started event too.
          const taken = await this.repository.takeLease(checked, this.id, this.config.leaseMs);
          leased.push({ ...taken, leasedAt });
        }
      }
    });
    for (const runId of touched) this.events.notify(runId);
    for (const { run } of leased) {
      this.stages.mark(run.id, 'claim.begun', begun);
      this.stages.mark(run.id, 'claim.committed');
    }
    await this.executeLeased(leased);
    return examined;
  }

  /** Starts executing what a claim leased, each as its owner; a worker stopped meanwhile hands them back. */
  private async executeLeased(leased: readonly Leased[]): Promise<void> {
    for (const { run, remainingMs, leasedAt, written } of leased) {
      if (!this.started) {
        if (!written || (await written)) await this.repository.release({ runId: run.id, attempt: run.attempt, leaseOwner: this.id });
        continue;
      }
      // A run is executed as its owner: what it reads and writes here is the owner's.
      const execution = ActingUser.run(run.ownerId, () => this.execute(run, remainingMs, leasedAt, written)).catch((err: unknown) => this.log.error({ ...describeError(err), runId: run.id }, 'run execution crashed'));
      this.executions.add(execution);
      void execution.finally(() => this.executions.delete(execution));
    }
  }

  /** A running row found by the claim query was abandoned by its worker: that counts as a failed attempt. */
  private accountForLostWorker(candidate: ClaimCandidate): ClaimCandidate {
    if (candidate.status !== 'running') return candidate;
    return {
      ...candidate,
      failureCount: candidate.failureCount + 1,
      lastError: { code: 'WORKER_LOST', message: `the worker running attempt ${candidate.attempt} stopped renewing its lease` },
    };
  }

  private async execute(run: RunEntity, remainingMs: number, leasedAt: number, written?: Promise<RunEntity | null>): Promise<void> {
    const fence: Fence = { runId: run.id, attempt: run.attempt, leaseOwner: this.id };
    const controller = new AbortController();
    const deadline = setTimeout(() => this.abort(run.id, 'timeout'), remainingMs);
    // The first attempt has no steps to replay (only a claimed attempt, or a resume after one, writes steps).
    const earlier = await (run.attempt === 1 ? Promise.resolve([]) : this.repository.listSteps(run.id)).catch((err: unknown) => {
      clearTimeout(deadline);
      throw err;
    });
    if (!this.started) {
      // Stopped while this run was being set up: hand it back rather than run it without a heartbeat.
      clearTimeout(deadline);
      if (!written || (await written)) await this.repository.release(fence);
      return;
    }
    // A run started before its row is written: once it is, the run is the row (its timestamps);
    // if it never is, the run stops at once and nothing of it is written.
    const writing = written?.then((row) => {
      if (row) {
        Object.assign(run, row);
        entry.written = true;
      } else this.abort(run.id, 'unwritten');
      return row !== null;
    });
    const journal = new FencedStepJournal(this.repository, this.events, fence, earlier, () => this.abort(run.id, 'lease-lost'), () => this.leaseHeld(entry), writing);
    const entry: ActiveRun = { run, fence, leasedAt, journal, controller, deadline, written: !written, writing };
    this.stages.mark(run.id, 'execute.begun');
    this.active.set(run.id, entry);
    try {
      const executor = this.executors.get(run.kind);
      const aborted = new Promise<Outcome>((resolve) => {
        const signal = controller.signal;
        if (signal.aborted) resolve({ kind: 'aborted', reason: signal.reason as AbortReason });
        signal.addEventListener('abort', () => resolve({ kind: 'aborted', reason: signal.reason as AbortReason }), { once: true });
      });
      const executed: Promise<Outcome> = executor
        ? Promise.resolve()
            // The run's trace id is the request id of everything it does: its log lines and its calls to other services.
            .then(() =>
              RequestContext.run(run.traceId ?? run.id, () =>
                // Each attempt is a span of the trace that queued the run (GenAI's invoke_agent for agents).
                Tracing.inSpan(spanNameOf(run), { parent: Tracing.fromTraceparent(run.traceParent), attributes: spanAttributesOf(run) }, () =>
                  executor.execute({ run, completedSteps: journal.completedSteps(), journal, signal: controller.signal }),
                ),
              ),
            )
            .then(
              (result): Outcome => ({ kind: 'result', result }),
              (error: unknown): Outcome => ({ kind: 'error', error }),
            )
        : Promise.resolve({ kind: 'error', error: new RunFailure('NO_EXECUTOR', `no executor for runs of kind ${run.kind}`) });
      // An abort ends the run at once, whether or not the executor notices the signal in time.
      const outcome = await Promise.race([executed, aborted]);
      journal.revoke();
      // An abort can come while a journal write is on its way: the ending numbers its event after that one.
      await journal.drained();
      // A step's end that could not be written: the run does not end as if it were stored.
      const failed = outcome.kind === 'result' && journal.heldFailure !== undefined;
      await this.settle(entry, failed ? { kind: 'error', error: journal.heldFailure } : outcome);
    } finally {
      clearTimeout(deadline);
      if (this.active.get(run.id) === entry) this.active.delete(run.id);
      // Its end may let a run start: the next of its conversation, or one that found every slot taken.
      if (run.conversationId !== null || this.full) {
        this.full = false;
        this.wake('new');
      }
    }
  }

  private async settle(entry: ActiveRun, outcome: Outcome): Promise<void> {
    const { run, fence, journal } = entry;
    const partial = journal.partialOutput;
    const withPartial = partial ? { output: partial.value, outputPartial: true } : {};
    // An ending publishes its own event live (no catch-up read after it), and this replica's
    // waiters for the run's state take the ended row from it (no read either).
    let published = false;
    let state: RunEntity | undefined;
    const end = async (patch: FinishPatch) => {
      // The ends of steps the journal held back are written with the ending, in one round trip.
      state = (await this.endings.end(run.id, fence, patch, run, journal.takeHeld())) ?? undefined;
      published = true;
    };
    this.stages.mark(run.id, 'settle.begun');
    try {
      // A run never written has nothing to end.
      if (entry.writing && !(await entry.writing)) return;
      if (outcome.kind === 'aborted') {
        if (outcome.reason === 'cancelled') await end({ status: 'cancelled', ...withPartial });
        else if (outcome.reason === 'timeout') await end({ status: 'expired', error: timeoutError(run.timeoutMs), ...withPartial });
        else if (outcome.reason === 'shutdown') {
          // What completed stays completed: the next attempt replays it.
          await journal.writeHeld();
          await this.repository.release(fence);
        }
        return; // lease-lost: someone else owns it now; nothing of ours may be written (unwritten: nothing is).
      }
      if (outcome.kind === 'result') {
        const result = outcome.result;
        if (result.status === 'completed') await end({ status: 'completed', output: result.output, usage: result.usage });
        else await end({ status: 'requires_action', requiredAction: result.action, usage: result.usage, ...withPartial });
        return;
      }
      const error = outcome.error;
      if (error instanceof LeaseLostError) return;
      if (error instanceof RunFailure) {
        await end({ status: 'failed', error: error.info(), ...withPartial });
        return;
      }
      const info: RunErrorInfo = { code: 'EXECUTOR_ERROR', message: error instanceof Error ? error.message : String(error) };
      const failures = run.failureCount + 1;
      if (failures >= this.config.maxAttempts) {
        await end({ status: 'failed', error: gaveUp(failures, info), ...withPartial });
        return;
      }
      await journal.writeHeld();
      await this.database.transaction(async () => {
        const released = await this.repository.releaseForRetry(fence, info, this.config.retryDelayMs);
        if (released) await this.events.append(run.id, 'run.retrying', { attempt: run.attempt, error: info, retryInMs: this.config.retryDelayMs });
      });
    } catch (err) {
      // The lease will expire and another worker takes the run over; nothing is stuck.
      this.log.warn({ ...describeError(err), runId: run.id, attempt: run.attempt }, 'could not record how the run ended');
    } finally {
      this.events.notify(run.id, { published, ...(state ? { state } : {}) });
      this.stages.ended(run.id);
    }
  }

  private abort(runId: string, reason: AbortReason): void {
    const entry = this.active.get(runId);
    if (!entry || entry.controller.signal.aborted) return;
    entry.journal.revoke();
    entry.controller.abort(reason);
  }

  /**
   * No other worker can hold the run: its lease was taken or renewed less than half a lease ago
   * (the heartbeat, at most half a lease apart, renews it before then), and the attempt goes on.
   */
  private leaseHeld(entry: ActiveRun): boolean {
    return performance.now() - entry.leasedAt < this.config.leaseMs / 2 && !entry.controller.signal.aborted;
  }

  private async beat(): Promise<void> {
    // A run whose row is not written yet has no lease to renew (its insert wrote a fresh one).
    const held = [...this.active.values()].filter((e) => e.written).map((e) => ({ runId: e.fence.runId, attempt: e.fence.attempt }));
    if (held.length === 0) {
      this.lastBeatAt = Date.now();
      return;
    }
    const renewedAt = performance.now();
    try {
      const kept = await ActingUser.system('run worker: renew the leases it holds', () => this.repository.heartbeat(this.id, held, this.config.leaseMs));
      this.lastBeatAt = Date.now();
      const keptIds = new Map(kept.map((k) => [k.runId, k.cancelRequested]));
      for (const { runId, attempt } of held) {
        const entry = this.active.get(runId);
        if (entry?.fence.attempt !== attempt) continue;
        const cancelRequested = keptIds.get(runId);
        if (cancelRequested === undefined) {
          this.abort(runId, 'lease-lost');
          continue;
        }
        entry.leasedAt = renewedAt;
        if (cancelRequested) this.abort(runId, 'cancelled');
      }
    } catch (err) {
      this.log.warn(describeError(err), 'heartbeat failed');
      // Past the lease another worker may already own these runs: stop before writing over it.
      if (Date.now() - this.lastBeatAt >= this.config.leaseMs) for (const { runId } of held) this.abort(runId, 'lease-lost');
    }
  }
}

function spanNameOf(run: RunEntity): string {
  const name = agentNameOf(run);
  return run.kind === 'agent' ? `invoke_agent${name ? ` ${name}` : ''}` : 'run workflow';
}

function spanAttributesOf(run: RunEntity): Attributes {
  const name = agentNameOf(run);
  return {
    'run.id': run.id,
    'run.kind': run.kind,
    'run.attempt': run.attempt,
    ...(run.kind === 'agent'
      ? { 'gen_ai.operation.name': 'invoke_agent', ...(run.agentId ? { 'gen_ai.agent.id': run.agentId } : {}), ...(name ? { 'gen_ai.agent.name': name } : {}) }
      : { ...(run.workflowId ? { 'workflow.id': run.workflowId } : {}) }),
    ...(run.conversationId ? { 'gen_ai.conversation.id': run.conversationId } : {}),
  };
}

function agentNameOf(run: RunEntity): string | undefined {
  const snapshot = run.agentSnapshot as { name?: unknown } | null;
  return typeof snapshot?.name === 'string' ? snapshot.name.slice(0, 100) : undefined;
}

/** A run past its wall-clock limit ends `expired`; its error says which limit, like every other limit. */
function timeoutError(timeoutMs?: number): RunErrorInfo {
  return {
    code: 'LIMIT_EXCEEDED',
    limit: 'timeout',
    message: timeoutMs ? `the run exceeded its wall-clock limit of ${timeoutMs} ms` : 'the run exceeded its wall-clock limit',
  };
}

function gaveUp(failures: number, last: RunErrorInfo | null): RunErrorInfo {
  return { code: last?.code ?? 'ATTEMPTS_EXHAUSTED', message: `gave up after ${failures} failed attempts: ${last?.message ?? 'unknown error'}` };
}
