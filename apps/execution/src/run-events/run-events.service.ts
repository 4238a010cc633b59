import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { BROADCAST, type Broadcast } from '#messaging';
import type { Fence } from './fence.js';
import type { RunEventEntity } from './run-event.entity.js';
import { RunEventsRepository } from './run-events.repository.js';

export type { Fence } from './fence.js';
export type { RunEventEntity } from './run-event.entity.js';

/** Broadcast after a run's events or state changed (committed): readers waiting on the run look again. */
export const RUN_EVENTS_SUBJECT = 'execution.runs.events';

interface RunEventsHint {
  runId: string;
  /** The service instance that sent it: its own readers were woken in process and skip the echo. */
  from?: string;
}

/** How often a waiting reader looks at the database on its own: the hint may be lost, the table never is. */
const RECHECK_MS = 500;
/** The most events one read answers: a shorter batch of an ended run holds its last event. */
export const EVENTS_PAGE = 1000;

/**
 * A run's stored event stream, and live reading of it for readers on any replica: the writer
 * notifies after its commit, which wakes this replica's readers of the run and, by a broadcast,
 * every other replica's; they read the table. Readers also look on their own every half second,
 * so a lost hint costs latency, never an event.
 */
@Injectable()
export class RunEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly origin = randomUUID();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repository: RunEventsRepository,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.broadcast.subscribe<RunEventsHint>(RUN_EVENTS_SUBJECT, (hint) => {
      if (typeof hint?.runId === 'string' && hint.from !== this.origin) this.wakeLocal(hint.runId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const runId of [...this.waiters.keys()]) this.wakeLocal(runId);
  }

  /** Appends in the caller's transaction, which holds the run's row lock (queue, cancel, claim, end): the next number is safe to take. */
  append(runId: string, type: string, data: unknown): Promise<number> {
    return this.repository.appendLocked(runId, type, data);
  }

  /** Appends only while `fence` holds the run; null otherwise. */
  appendFenced(fence: Fence, type: string, data: unknown): Promise<number | null> {
    return this.repository.appendFenced(fence, type, data);
  }

  /** Retention: a batch of the events of runs that ended before `endedBefore`; how many went. */
  deleteOfRunsEndedBefore(endedBefore: Date, batch: number): Promise<number> {
    return this.repository.deleteEventsOfRunsEndedBefore(endedBefore, batch);
  }

  /** Call after a commit that added events to the run or changed its state. */
  notify(runId: string): void {
    this.wakeLocal(runId);
    this.broadcast.publish<RunEventsHint>(RUN_EVENTS_SUBJECT, { runId, from: this.origin });
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
   * notify of the run (from any replica) and at least every RECHECK_MS.
   */
  async watch<T>(runId: string, waitMs: number, look: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const value = await look();
      const left = deadline - Date.now();
      if (done(value) || left <= 0) return value;
      await this.waitForHint(runId, Math.min(left, RECHECK_MS));
    }
  }

  private waitForHint(runId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(runId);
      if (!set) this.waiters.set(runId, (set = new Set()));
      const waiters = set;
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(runId) === waiters) this.waiters.delete(runId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  private wakeLocal(runId: string): void {
    const set = this.waiters.get(runId);
    if (set) for (const wake of [...set]) wake();
  }
}
