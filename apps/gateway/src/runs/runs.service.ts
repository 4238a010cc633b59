import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { type Actor, AppError, ErrorCode, isSettledRunStatus, RunContracts, type RunEventView, type RunModeQuery, type RunView, type StartRunRequest, type StartWorkflowRunRequest } from '#contracts';
import { BROADCAST, type Broadcast, BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SseStream } from '../http/sse.js';
import { BUS_SLACK_MS, LONG_POLL_MS, RunEventFeed } from './run-event-feed.js';

export type RunMode = 'wait' | 'stream' | 'background';

export const SSE_FORMAT_DESCRIPTION =
  'Server-Sent Events: each event is `id: <seq>`, `event: <type>` (run.queued, run.started, step.started, token, step.completed, run.completed, ...), `data: <JSON with runId, seq and the event fields>`; ' +
  'a `: keep-alive` comment after 15 s of silence; an `error` event with `{ code, message }` if the stream breaks. The stream ends after the run\'s last event.';

/** How every route that starts a run documents its modes. */
export const RUN_MODES_DESCRIPTION =
  'By default the reply waits for the run to end (or to need client tool results: requires_action) and is 200 with the run. ' +
  '`?background=true`: 202 at once with the run (pending, or already running when the replica that took the request had a free worker slot); a notification tells you when it ends. ' +
  `\`?stream=true\`: ${SSE_FORMAT_DESCRIPTION} ` +
  'An `Idempotency-Key` header (1-255 printable ASCII characters) makes a retry return the run the first request started.';

/** Idempotency-Key, documented the same on every route that starts runs. */
export const IdempotencyKeyHeader = ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the same run instead of starting another' });

/**
 * Runs over HTTP: starting one and answering in the mode asked (wait, background or stream), and
 * following one as Server-Sent Events. Every route that starts or follows a run goes through here.
 * A run is followed through a RunEventFeed: its live events, with the table for replays and gaps.
 */
@Injectable()
export class RunsService {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    /** Runs' live events; without it runs are followed by long polls alone. */
    @Optional() @Inject(BROADCAST) private readonly broadcast?: Broadcast,
  ) {}

  /** The mode a RunModeQuery asks for; both stream and background is a 400. */
  modeOf(query: RunModeQuery): RunMode {
    const stream = query.stream === 'true';
    const background = query.background === 'true';
    if (stream && background) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'query string is invalid', {
        errors: [{ field: 'background', problems: ['stream=true and background=true cannot be combined: pick one way to follow the run'] }],
      });
    }
    return stream ? 'stream' : background ? 'background' : 'wait';
  }

  /** The Idempotency-Key header: absent, or 1-255 printable ASCII characters. */
  idempotencyKeyOf(request: FastifyRequest): string | undefined {
    const value = request.headers['idempotency-key'];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^[\x20-\x7e]{1,255}$/.test(value)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'the Idempotency-Key header is invalid', {
        errors: [{ field: 'Idempotency-Key', problems: ['Idempotency-Key must be one header of 1-255 printable ASCII characters'] }],
      });
    }
    return value;
  }

  /**
   * Starts a run and answers in the mode asked: 202 with the run (background), 200 with the run
   * once it settled (wait), or its events as SSE (stream). A failure to start is always problem+json.
   */
  async start(actor: Actor, request: FastifyRequest, reply: FastifyReply, start: StartRunRequest, mode: RunMode): Promise<void> {
    await this.startAndAnswer(actor, request, reply, mode, () => this.bus.request(RunContracts.start, { ...start, ...startMode(mode) }, { actor, ...startTimeout(mode) }));
  }

  /** Starts a workflow run and answers in the mode asked, as start does. */
  async startWorkflow(actor: Actor, request: FastifyRequest, reply: FastifyReply, start: StartWorkflowRunRequest, mode: RunMode): Promise<void> {
    await this.startAndAnswer(actor, request, reply, mode, () => this.bus.request(RunContracts.startWorkflow, { ...start, ...startMode(mode) }, { actor, ...startTimeout(mode) }));
  }

  /** A stream's feed listens before the start is sent, so the run's events are heard from its first one. */
  private async startAndAnswer(actor: Actor, request: FastifyRequest, reply: FastifyReply, mode: RunMode, send: () => Promise<RunView>): Promise<void> {
    const feed = mode === 'stream' ? RunEventFeed.beforeStart(this.bus, this.broadcast, actor) : undefined;
    // Listened for before the start, which in wait mode waits for the run (startMode) while the client may hang up.
    const client = clientGone(reply);
    let run: RunView;
    try {
      run = await send();
    } catch (err) {
      feed?.close();
      throw err;
    }
    if (feed) {
      feed.bind(this.broadcast, run);
      const stream = new SseStream(request, reply);
      stream.open();
      await this.pump(feed, run.id, stream);
      return;
    }
    if (mode === 'background') {
      void reply.status(202).header('location', `/api/v1/runs/${run.id}`).send(run);
      return;
    }
    // The start waited for the run already (startMode); a run that has not settled yet is waited for here.
    void reply.status(200).send(await this.settle(actor, run, client.promise.then(() => (client.gone() ? undefined : NEVER))));
  }

  /** The run's events after `afterSeq` as SSE: replayed, then followed until the run's last event. */
  async follow(actor: Actor, runId: string, afterSeq: number, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const feed = RunEventFeed.forRun(this.bus, this.broadcast, actor, runId, afterSeq);
    try {
      // The first read does not wait: an unknown run or a bad id is still answered as problem+json.
      await feed.read(0);
    } catch (err) {
      feed.close();
      throw err;
    }
    const stream = new SseStream(request, reply);
    stream.open();
    await this.pump(feed, runId, stream);
  }

  /** Writes the run's events after `afterSeq` to an open stream, as follow does once it checked the run. */
  pumpEvents(actor: Actor, runId: string, afterSeq: number, stream: SseStream): Promise<void> {
    return this.pump(RunEventFeed.forRun(this.bus, this.broadcast, actor, runId, afterSeq), runId, stream);
  }

  /**
   * Writes a feed's events to an open stream until the run's last event was sent or the client
   * went away; an error ends the stream with an `error` event.
   */
  private async pump(feed: RunEventFeed, runId: string, stream: SseStream): Promise<void> {
    try {
      for await (const item of feed.events(stream.whenClosed())) writeEvent(stream, runId, item);
      stream.end();
    } catch (err) {
      stream.fail(err);
    }
  }

  /**
   * Waits until the run settles (ends, or waits for the caller), or until `stop` resolves;
   * answers the run as last seen. For faces that answer in their own shape (OpenAI, MCP).
   */
  async settle(actor: Actor, initial: RunView, stop: Promise<unknown>): Promise<RunView> {
    let run = initial;
    let stopped = false;
    const stopping = stop.then(() => {
      stopped = true;
    });
    while (!isSettledRunStatus(run.status) && !stopped) {
      const next = await Promise.race([
        this.bus.request(RunContracts.wait, { id: run.id, waitMs: LONG_POLL_MS }, { actor, timeoutMs: LONG_POLL_MS + BUS_SLACK_MS }),
        stopping.then(() => undefined),
      ]);
      if (next === undefined) break;
      run = next;
    }
    return run;
  }

  /**
   * The run's events after `afterSeq`, replayed then followed until its last one (the run ended,
   * or waits for the caller), or until `stop` resolves. For faces that write events in their own
   * shape (OpenAI chunks, MCP progress).
   */
  events(actor: Actor, runId: string, afterSeq: number, stop: Promise<unknown>): AsyncGenerator<RunEventView> {
    return RunEventFeed.forRun(this.bus, this.broadcast, actor, runId, afterSeq).events(stop);
  }

  /** The sequence number of the run's last stored event (the run must be settled, or more may follow). */
  async lastEventSeq(actor: Actor, runId: string): Promise<number> {
    let after = 0;
    for (;;) {
      const batch = await this.bus.request(RunContracts.events, { id: runId, afterSeq: after, waitMs: 0 }, { actor });
      const last = batch.items.at(-1);
      if (last === undefined) return after;
      after = last.seq;
      if (batch.ended) return after;
    }
  }
}

/** How a start asks for its mode: in the background, or (wait) answered once the run settled, up to a long poll's time. */
function startMode(mode: RunMode): { background: boolean; waitMs?: number } {
  return mode === 'wait' ? { background: false, waitMs: LONG_POLL_MS } : { background: mode === 'background' };
}

/** A start that waits for its run gets a long poll's time on the bus. */
function startTimeout(mode: RunMode): { timeoutMs?: number } {
  return mode === 'wait' ? { timeoutMs: LONG_POLL_MS + BUS_SLACK_MS } : {};
}

/** A promise that never settles: a stop signal that never comes. */
const NEVER = new Promise<never>(() => undefined);

/** Resolves when the client hangs up before the reply was written. */
function clientGone(reply: FastifyReply): { promise: Promise<void>; gone: () => boolean } {
  let gone = false;
  const promise = new Promise<void>((resolve) => {
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone = true;
      resolve();
    });
  });
  return { promise, gone: () => gone };
}

/** Writes one event as an SSE frame: its data's fields beside runId and seq. */
function writeEvent(stream: SseStream, runId: string, item: RunEventView): void {
  const data = typeof item.data === 'object' && item.data !== null && !Array.isArray(item.data) ? item.data : item.data === undefined || item.data === null ? {} : { value: item.data };
  stream.event(item.seq, item.type, { runId, seq: item.seq, ...data });
}
