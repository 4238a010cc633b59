import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LIVE_RUN_EVENT_MAX_DATA, type LiveRunEvent, RUN_EVENTS_PAGE, runEventStreamSubject } from '#contracts';
import { BROADCAST, type Broadcast } from '#messaging';
import { describeError, rootLogger } from '#observability';
import { Database } from '#persistence';
import type { Fence } from './fence.js';
import type { RunEventEntity } from './run-event.entity.js';
import { RunEventsRepository } from './run-events.repository.js';
import type { StoredRunEvent } from './stored-run-event.js';

export type { Fence } from './fence.js';
export type { RunEventEntity } from './run-event.entity.js';
export { type StoredRow, type StoredRunEvent, storedEvent } from './stored-run-event.js';

/** Broadcast after a run's events or state changed (committed): readers waiting on the run look again. */
export const RUN_EVENTS_SUBJECT = 'execution.runs.events';

interface RunEventsHint {
  runId: string;
  /** The service instance that sent it: its own readers were woken in process and skip the echo. */
  from?: string;
  /** False when only events were added (a step's write): readers of the run's state need not look. */
  state?: boolean;
}

/** What a waiting reader looks at: the run's events (any commit that added one), or its state (status changes only). */
export type Watched = 'events' | 'state';

/** How often a waiting reader looks at the database on its own: the hint may be lost, the table never is. */
const RECHECK_MS = 500;
/** The most events one read answers: a shorter batch of an ended run holds its last event. */
export const EVENTS_PAGE = RUN_EVENTS_PAGE;
/** The most events one catch-up publishes (a commit adds a few; a reader reads any gap from the table). */
const CATCH_UP_LIMIT = 50;
/** Runs whose last published number is remembered, at most (the oldest is forgotten first). */
const REMEMBERED_RUNS = 10_000;

/**
 * A run's stored event stream, and live reading of it for readers on any replica: the writer
 * notifies after its commit, which wakes this replica's readers of the run and, by a broadcast,
 * every other replica's; they read the table. Readers also look on their own every half second,
 * so a lost hint costs latency, never an event.
 *
 * Every committed event is also published on its run's live subject (run-event-stream.ts), which
 * the gateway's streams subscribe to, so an event reaches the client without a read of the table;
 * the table serves replays and whatever the live path lost. The hot writes (a running attempt's
 * fenced ones: tokens, steps) publish what they stored as they commit; any other commit that
 * notifies is caught up by reading what it added (queue, claim, cancel, end: their own statements).
 */
@Injectable()
export class RunEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly waiters: Record<Watched, Map<string, Set<(state?: unknown) => void>>> = { events: new Map(), state: new Map() };
  private readonly origin = randomUUID();
  private unsubscribe: (() => void) | undefined;
  private readonly log = rootLogger().child({ component: 'run-events' });
  /** The highest number this replica published live, per run it published for (bounded: the least recently published run is forgotten first). */
  private readonly publishedUpTo = new Map<string, number>();
  /** Catch-ups in flight, per run; `again` when another commit notified meanwhile. */
  private readonly catchingUp = new Map<string, { again: boolean }>();

  constructor(
    private readonly repository: RunEventsRepository,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
    private readonly database: Database,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.broadcast.subscribe<RunEventsHint>(RUN_EVENTS_SUBJECT, (hint) => {
      if (typeof hint?.runId === 'string' && hint.from !== this.origin) this.wakeLocal(hint.runId, hint.state !== false);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const runId of [...this.waiters.events.keys(), ...this.waiters.state.keys()]) this.wakeLocal(runId, true);
  }

  /** Appends in the caller's transaction, which holds the run's row lock (queue, cancel, claim, end): the next number is safe to take. */
  append(runId: string, type: string, data: unknown): Promise<number> {
    return this.repository.appendLocked(runId, type, data);
  }

  /** Appends only while `fence` holds the run; null otherwise. Published live as soon as it committed (it is a statement of its own). */
  async appendFenced(fence: Fence, type: string, data: unknown): Promise<number | null> {
    const stored = await this.repository.appendFenced(fence, type, data);
    if (stored) this.publishAfterCommit(stored);
    return stored?.seq ?? null;
  }

  /**
   * Publishes a stored event on its run's live subject once its transaction committed (at once
   * outside one), never before: a client must not see what a rollback takes back. For writers that
   * have what they stored at hand (a step's write); they notify with `published`.
   */
  publishAfterCommit(event: StoredRunEvent): void {
    this.database.afterCommit(() => this.publishLive(event));
  }

  /** Retention: a batch of the events of runs that ended before `endedBefore`; how many went. */
  deleteOfRunsEndedBefore(endedBefore: Date, batch: number): Promise<number> {
    return this.repository.deleteEventsOfRunsEndedBefore(endedBefore, batch);
  }

  /**
   * Call after a commit that added events to the run or changed its state. `published`: its events
   * went out live as written (publishAfterCommit); otherwise what the commit added is read and
   * published. `stateChanged: false` (a running attempt's step and token writes): the run's status
   * is as it was, so readers waiting for a status (wait, cancel) are not woken to read it again.
   * `state`: the run's row as the committed change left it; this replica's readers of its state
   * take it as what they would read (other replicas read it).
   */
  notify(runId: string, how: { published?: boolean; stateChanged?: boolean; state?: unknown } = {}): void {
    const state = how.stateChanged ?? true;
    this.wakeLocal(runId, state, how.state);
    this.broadcast.publish<RunEventsHint>(RUN_EVENTS_SUBJECT, state ? { runId, from: this.origin } : { runId, from: this.origin, state });
    if (!how.published) void this.catchUp(runId);
  }

  /** Publishes the run's events after the last this replica published (the last few, for a run it has not published for). */
  private async catchUp(runId: string): Promise<void> {
    const running = this.catchingUp.get(runId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.catchingUp.set(runId, state);
    try {
      while (state.again) {
        state.again = false;
        for (const event of await this.repository.latest(runId, this.publishedUpTo.get(runId) ?? 0, CATCH_UP_LIMIT)) this.publishLive(event);
      }
    } catch (err) {
      // Readers find it in the table (a gap, or their own look after a silence).
      this.log.warn({ ...describeError(err), runId }, 'could not publish a run\'s new events live');
    } finally {
      this.catchingUp.delete(runId);
    }
  }

  private publishLive(event: StoredRunEvent): void {
    if (event.ownerId === null) return;
    const header = { runId: event.runId, seq: event.seq, type: event.type, createdAt: new Date(event.createdAt).toISOString() };
    let live: LiveRunEvent = { ...header, data: event.data ?? {} };
    // Too large to send whole: the readers read it from the table.
    if (JSON.stringify(live.data).length > LIVE_RUN_EVENT_MAX_DATA) live = header;
    try {
      this.broadcast.publish(runEventStreamSubject(event.ownerId, event.runId), live);
    } catch (err) {
      // The table has it: a reader that misses it reads it there.
      this.log.warn({ ...describeError(err), runId: event.runId, seq: event.seq }, 'could not publish a run event live');
    }
    // Kept after the run settled too (a later catch-up then finds nothing new), newest last.
    const before = this.publishedUpTo.get(event.runId) ?? 0;
    this.publishedUpTo.delete(event.runId);
    this.publishedUpTo.set(event.runId, Math.max(before, event.seq));
    if (this.publishedUpTo.size > REMEMBERED_RUNS) this.publishedUpTo.delete(this.publishedUpTo.keys().next().value as string);
  }

  /** Events after `afterSeq`, oldest first; when there are none yet, waits up to `waitMs` for the first. */
  read(runId: string, afterSeq: number, waitMs: number): Promise<RunEventEntity[]> {
    return this.watch(
      runId,
      waitMs,
      () => this.repository.read(runId, Math.max(0, Math.floor(afterSeq)), EVENTS_PAGE),
      (events) => events.length > 0,
    );
  }

  /**
   * What `look()` answers once `done` holds, or as it is after `waitMs`: looked at again on every
   * notify of the run (from any replica) that concerns what is watched, and at least every RECHECK_MS.
   * `known`: what look() would answer now (the caller just wrote it): the first look is skipped;
   * so is a look after a notify of this replica that said what the state became (watched 'state').
   */
  async watch<T>(runId: string, waitMs: number, look: () => Promise<T>, done: (value: T) => boolean, watched: Watched = 'events', known?: T): Promise<T> {
    const deadline = Date.now() + waitMs;
    let given = known;
    for (;;) {
      const value = given ?? (await look());
      const left = deadline - Date.now();
      if (done(value) || left <= 0) return value;
      given = (await this.waitForHint(runId, Math.min(left, RECHECK_MS), this.waiters[watched])) as T | undefined;
    }
  }

  /** Resolves on the run's next hint (with the state it carried, if any) or after `ms`. */
  private waitForHint(runId: string, ms: number, all: Map<string, Set<(state?: unknown) => void>>): Promise<unknown> {
    return new Promise((resolve) => {
      let set = all.get(runId);
      if (!set) all.set(runId, (set = new Set()));
      const waiters = set;
      const wake = (state?: unknown) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && all.get(runId) === waiters) all.delete(runId);
        resolve(state);
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  /** Wakes the run's readers of its events, and of its state when that changed (with the state, when known). */
  private wakeLocal(runId: string, stateChanged: boolean, state?: unknown): void {
    const events = this.waiters.events.get(runId);
    if (events) for (const wake of [...events]) wake();
    if (!stateChanged) return;
    const states = this.waiters.state.get(runId);
    if (states) for (const wake of [...states]) wake(state);
  }
}
