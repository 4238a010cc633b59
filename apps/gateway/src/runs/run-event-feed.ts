import {
  type Actor,
  isSettledRunStatus,
  isSettlingRunEvent,
  type LiveRunEvent,
  RUN_EVENT_STREAM_PREFIX,
  RUN_EVENTS_PAGE,
  RunContracts,
  type RunEventView,
  type RunView,
  runEventStreamSubject,
} from '#contracts';
import type { Broadcast, BusClient } from '#messaging';

/** How long one long poll (wait or events) asks the execution service to hold on. */
export const LONG_POLL_MS = 15_000;
/** The bus gets this much longer than the poll itself before it calls the service late. */
export const BUS_SLACK_MS = 10_000;
/**
 * After this long without a live event the feed also asks the table (a long poll, as a feed
 * without live events always does): a publication lost on the way costs this much latency at
 * most, never an event. A gap in the numbers is read at once.
 */
export const LIVE_IDLE_MS = 1_000;
/** Live events of runs not yet named (before the start's reply) kept at most: the rest come from the table. */
const EARLY_LIMIT = 1_000;
/** A gap a read did not close (it should not happen) is read again after this long, not at once. */
const GAP_RETRY_MS = 100;


/**
 * One reader's view of a run's events after a point: each once, in order, the stored ones
 * replayed from the table and new ones as the execution service publishes them (live, core NATS).
 *
 * The subscription is made before anything is read, on the subject of the signed-in user and the
 * run (or, before a start's reply names the run, of the user's runs), so every event committed
 * after the first read is heard, and a stream can only ever carry that user's events: the
 * subject is built from the caller's verified identity, never from what the client sent alone.
 * What the live path cannot give (the events before the subscription, a gap in the numbers, an
 * event too large to publish, a publication lost) is read from the table, which stays the truth.
 * Without a broadcast (tests, single-process set-ups without one) it long-polls the table only.
 */
export class RunEventFeed {
  /** Live events after `after`, by number, until their turn comes. */
  private readonly pending = new Map<number, LiveRunEvent>();
  /** Events read from the table, in order: the truth for the numbers they span (holes included: compacted tokens). */
  private readonly stored: RunEventView[] = [];
  private gapReadAt = 0;
  /** Live events that came before the run was named (the user's other runs' too). */
  private early: LiveRunEvent[] | undefined;
  private runId: string | undefined;
  private after: number;
  /** The number of the run's last event, once a read said the run settled. */
  private endSeq: number | undefined;
  /** What was heard cannot be written as is (an event without its data, events before the run was named): read the table. */
  private stale = false;
  private lastHeard = Date.now();
  private signal: { promise: Promise<void>; resolve: () => void } | undefined;
  private readonly unsubscribes: Array<() => void> = [];
  private closed = false;

  private constructor(
    private readonly bus: BusClient,
    private readonly actor: Actor,
    private readonly live: boolean,
    afterSeq: number,
    private readonly idleMs: number,
  ) {
    this.after = afterSeq;
  }

  /** A feed of one run's events after `afterSeq`, subscribed before its first read. */
  static forRun(bus: BusClient, broadcast: Broadcast | undefined, actor: Actor, runId: string, afterSeq: number, idleMs = LIVE_IDLE_MS): RunEventFeed {
    const userId = liveUserOf(actor, broadcast);
    const feed = new RunEventFeed(bus, actor, userId !== undefined, afterSeq, idleMs);
    feed.runId = runId;
    // What came before the subscription is only in the table.
    feed.stale = true;
    if (userId !== undefined) feed.unsubscribes.push(broadcast!.subscribe<LiveRunEvent>(runEventStreamSubject(userId, runId), (event) => feed.hear(event)));
    return feed;
  }

  /**
   * A feed opened before a start request, listening to all of the user's runs until `bind` names
   * the run the start answered: its first events (run.queued onwards) are heard live, none read.
   */
  static beforeStart(bus: BusClient, broadcast: Broadcast | undefined, actor: Actor, idleMs = LIVE_IDLE_MS): RunEventFeed {
    const userId = liveUserOf(actor, broadcast);
    const feed = new RunEventFeed(bus, actor, userId !== undefined, 0, idleMs);
    if (userId !== undefined) {
      feed.early = [];
      feed.unsubscribes.push(broadcast!.subscribe<LiveRunEvent>(`${RUN_EVENT_STREAM_PREFIX}.${userId}.*`, (event) => feed.hear(event)));
    }
    return feed;
  }

  /**
   * Names the run a start answered, keeps what was heard of it, and narrows the subscription to it.
   * A run that is not new (the start found an earlier one by its idempotency key) is replayed too.
   */
  bind(broadcast: Broadcast | undefined, run: RunView): void {
    this.runId = run.id;
    const early = this.early ?? [];
    this.early = undefined;
    const userId = liveUserOf(this.actor, broadcast);
    if (userId !== undefined && this.live) {
      // The wide subscription stays until the narrow one has heard something (the server routes to
      // it by then, and what it routed to the wide one came first on the connection), or a while:
      // dropped at once, events on their way to it would be lost.
      const wide = this.unsubscribes.splice(0);
      let dropped = false;
      const dropWide = () => {
        if (dropped) return;
        dropped = true;
        clearTimeout(timer);
        for (const stop of wide) stop();
      };
      const timer = setTimeout(dropWide, this.idleMs);
      timer.unref();
      this.unsubscribes.push(
        dropWide,
        broadcast!.subscribe<LiveRunEvent>(runEventStreamSubject(userId, run.id), (event) => {
          dropWide();
          this.hear(event);
        }),
      );
    }
    for (const event of early) this.hear(event);
    // A new run's first events are published once its start committed, after this subscription:
    // they were heard (a lost one shows as a gap). A run the start did not make (an idempotency
    // key's twin) may have events from before it; a settled twin has no more to come that would
    // show the gap: read the table at once. A running twin's are read at its next event or after
    // LIVE_IDLE_MS without one.
    if (isSettledRunStatus(run.status)) this.stale = true;
  }

  close(): void {
    this.closed = true;
    for (const stop of this.unsubscribes.splice(0)) stop();
    this.wake();
  }

  /**
   * Reads the stored events after the current point (waiting up to `waitMs` for one): the first
   * read of a stream, which answers an unknown run (or another user's) as the error it is.
   */
  async read(waitMs: number): Promise<void> {
    this.stale = false;
    const from = this.after;
    const timeoutMs = waitMs > 0 ? waitMs + BUS_SLACK_MS : undefined;
    const batch = await this.bus.request(RunContracts.events, { id: this.runId!, afterSeq: from, waitMs }, { actor: this.actor, ...(timeoutMs ? { timeoutMs } : {}) });
    this.stored.push(...batch.items);
    if (batch.ended) this.endSeq = batch.items.at(-1)?.seq ?? from;
    // A full page: there may be more stored after it, which no live event will point at.
    else if (batch.items.length >= RUN_EVENTS_PAGE) {
      this.stale = true;
      this.gapReadAt = 0;
    }
  }

  /**
   * The events in order, each once, until the run's last one (it ended, or waits for the caller:
   * a read says so, or the live event that settled it is heard) or `stop`.
   */
  async *events(stop: Promise<unknown>): AsyncGenerator<RunEventView> {
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      this.wake();
    });
    let poll: Promise<void> | undefined;
    let failure: { error: unknown } | undefined;
    const startPoll = (waitMs: number) => {
      poll = this.read(waitMs).then(
        () => {
          poll = undefined;
          this.wake();
        },
        (error: unknown) => {
          poll = undefined;
          failure = { error };
          this.wake();
        },
      );
    };
    try {
      for (;;) {
        if (stopped || this.closed) return;
        if (failure) throw failure.error;
        // What the table said first, then what was heard, from the next number on. A stored
        // history goes on past a wait for the caller that was answered (requires_action, then
        // run.resumed): the read says where the run's events end.
        for (let read = this.stored.shift(); read; read = this.stored.shift()) {
          if (read.seq <= this.after) continue;
          this.after = read.seq;
          yield read;
          if (stopped) return;
        }
        for (let next = this.pending.get(this.after + 1); next; next = this.pending.get(this.after + 1)) {
          this.pending.delete(next.seq);
          this.after = next.seq;
          yield { seq: next.seq, type: next.type, data: next.data, createdAt: next.createdAt };
          if (isSettlingRunEvent(next.type) || stopped) return;
          if (this.stored.length > 0) break;
        }
        if (this.stored.length > 0) continue;
        if (this.endSeq !== undefined && this.after >= this.endSeq) return;
        for (const seq of this.pending.keys()) if (seq <= this.after) this.pending.delete(seq);
        if (!this.live) {
          // No live events: the table only, long polled.
          if (!poll) startPoll(LONG_POLL_MS);
          await this.nextSignal();
          continue;
        }
        // Something after a hole, or an event without its data: read now.
        const gap = this.stale || this.pending.size > 0;
        const now = Date.now();
        if (!poll && gap && now - this.gapReadAt >= GAP_RETRY_MS) {
          this.gapReadAt = now;
          startPoll(0);
        } else if (!poll && now - this.lastHeard >= this.idleMs) startPoll(LONG_POLL_MS);
        await this.nextSignal(poll ? undefined : Math.min(this.idleMs - (now - this.lastHeard), gap ? GAP_RETRY_MS - (now - this.gapReadAt) : Infinity));
      }
    } finally {
      this.close();
    }
  }

  private hear(event: LiveRunEvent): void {
    if (this.closed || typeof event?.seq !== 'number' || typeof event.type !== 'string') return;
    if (this.runId === undefined) {
      if (this.early && this.early.length < EARLY_LIMIT) this.early.push(event);
      else this.stale = true;
      return;
    }
    if (event.runId !== this.runId) return;
    this.lastHeard = Date.now();
    if (event.data === undefined) this.stale = true;
    else if (event.seq > this.after && !this.pending.has(event.seq)) {
      this.pending.set(event.seq, event);
    }
    this.wake();
  }

  /** Resolves on the next event heard or read (or after `ms`, when given). */
  private nextSignal(ms?: number): Promise<void> {
    if (!this.signal) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.signal = { promise, resolve };
    }
    if (ms === undefined) return this.signal.promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
    return Promise.race([this.signal.promise, timeout]).finally(() => clearTimeout(timer));
  }

  private wake(): void {
    const signal = this.signal;
    this.signal = undefined;
    signal?.resolve();
  }
}

/** The user whose runs' live events a feed may hear: a signed-in user, when there is a broadcast to hear them on. */
function liveUserOf(actor: Actor, broadcast: Broadcast | undefined): string | undefined {
  return broadcast && actor.kind === 'user' && actor.userId ? actor.userId : undefined;
}
