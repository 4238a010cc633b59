import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { BROADCAST, type Broadcast } from '#messaging';
import { RunsRepository } from './runs.repository.js';
import type { Run, RunEvent } from './run.types.js';

/** Broadcast after a run's events or state changed (committed): readers waiting on the run look again. */
export const RUN_EVENTS_SUBJECT = 'execution.runs.events';

interface RunEventsHint {
  runId: string;
}

/** How often a waiting reader looks at the database on its own: the hint may be lost, the table never is. */
const RECHECK_MS = 500;
const EVENTS_PAGE = 1000;

/**
 * Live reading of a run's stored events for readers on any replica: the worker that writes an event
 * broadcasts a hint after the commit, and every replica wakes its readers of that run, which read
 * the table. Readers also re-read on their own every half second, so a lost hint costs latency,
 * never an event.
 */
@Injectable()
export class RunEventsHub implements OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repository: RunsRepository,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.broadcast.subscribe<RunEventsHint>(RUN_EVENTS_SUBJECT, (hint) => {
      if (typeof hint?.runId === 'string') this.wakeLocal(hint.runId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const runId of [...this.waiters.keys()]) this.wakeLocal(runId);
  }

  /** Call after a commit that added events to the run or changed its state. */
  notify(runId: string): void {
    this.wakeLocal(runId);
    this.broadcast.publish<RunEventsHint>(RUN_EVENTS_SUBJECT, { runId });
  }

  /** Events after `afterSeq`; when there are none yet, waits up to `waitMs` for the first. */
  async read(runId: string, afterSeq: number, waitMs: number): Promise<RunEvent[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const events = await this.repository.readEvents(runId, afterSeq, EVENTS_PAGE);
      const left = deadline - Date.now();
      if (events.length > 0 || left <= 0) return events;
      await this.waitForHint(runId, Math.min(left, RECHECK_MS));
    }
  }

  /** The run once `done(run)` holds, or as it is after `waitMs`; null when it does not exist (for this owner). */
  async waitUntil(runId: string, ownerId: string | undefined, waitMs: number, done: (run: Run) => boolean): Promise<Run | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const run = await this.repository.find(runId, ownerId);
      const left = deadline - Date.now();
      if (!run || done(run) || left <= 0) return run;
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
