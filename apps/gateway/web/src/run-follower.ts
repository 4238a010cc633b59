import { type Api, ApiError, problemOf } from './api.js';
import { applyEvent, type LiveRun, newLiveRun, saveLiveRun } from './live-run.js';
import { readEventStream } from './sse.js';
import type { Page, Run } from './types.js';

/** Reconnections tried after a stream breaks before the page gives up and says so. */
const MAX_RECONNECTS = 6;

/**
 * Sends a message and follows the answer's events: applies each to the live run, saves it (for a
 * reload), and reconnects after a broken stream from the last event seen, as a reload does.
 */
export class RunFollower {
  private run: LiveRun | null = null;
  private readonly abort = new AbortController();
  private cancelWanted = false;

  constructor(
    private readonly api: Api,
    private readonly onUpdate: (run: LiveRun) => void,
  ) {}

  /** Sends the message; throws ApiError when the platform refuses it (nothing then runs). */
  async send(conversationId: string, content: string, parentId?: string | null): Promise<void> {
    this.update(newLiveRun(conversationId, content, parentId));
    const response = await this.api.fetch('POST', `/conversations/${conversationId}/messages?stream=true`, {
      body: { content, ...(parentId !== undefined ? { parentId } : {}) },
      headers: { accept: 'text/event-stream' },
      signal: this.abort.signal,
    });
    if (!isEventStream(response)) {
      this.run = null;
      saveLiveRun(null);
      throw new ApiError(await problemOf(response));
    }
    void this.follow(response);
  }

  /** Picks up an answer a reload interrupted: the events after the last one seen, nothing twice. */
  resume(saved: LiveRun): void {
    this.update(saved);
    void this.follow(undefined);
  }

  /** Stops the run on the server; its stream then ends with run.cancelled. */
  async cancel(): Promise<void> {
    this.cancelWanted = true;
    const runId = this.run?.runId;
    if (!runId || this.run?.ended) return;
    try {
      await this.api.post(`/runs/${runId}/cancel`);
    } catch (err) {
      // 409: it ended meanwhile, and its stream says how.
      if (!(err instanceof ApiError && err.problem.status === 409)) throw err;
    }
  }

  /** Stops listening (the page moved on); the run goes on, and the saved state lets the page come back to it. */
  detach(): void {
    this.abort.abort();
  }

  private async follow(first: Response | undefined): Promise<void> {
    let pending = first;
    for (let failures = 0; !this.abort.signal.aborted; ) {
      try {
        const seenBefore = this.current.lastEventId;
        const response = pending ?? (await this.reconnect());
        pending = undefined;
        if (response === null) return;
        if (!isEventStream(response)) {
          this.end(await problemOf(response));
          return;
        }
        const body = response.body;
        if (body) {
          await readEventStream(body, (event) => {
            if (event.type === 'error') throw new StreamBroke();
            this.update(applyEvent(this.current, event));
            if (this.cancelWanted && this.current.runId && !this.current.ended) void this.cancel().catch(() => undefined);
          });
        }
        if (this.current.ended) return;
        // It ended cleanly but early (a proxy, a restart): pick it up again, at once if it had
        // brought something new, else after a pause like any other failure.
        if (this.current.lastEventId > seenBefore) {
          failures = 0;
          continue;
        }
        throw new StreamBroke();
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failures += 1;
        if (failures > MAX_RECONNECTS) {
          this.end(err instanceof ApiError ? err.problem : { code: 'NETWORK', detail: 'the answer stream broke and could not be resumed' });
          return;
        }
        await delay(Math.min(500 * 2 ** (failures - 1), 8000), this.abort.signal);
      }
    }
  }

  /** GET /runs/:id/events after the last event seen; null when there is no run to follow. */
  private async reconnect(): Promise<Response | null> {
    let runId = this.current.runId;
    if (!runId) {
      // The page went away before the first event named the run: the newest run of the conversation is it.
      const page = await this.api.get<Page<Run>>(`/runs?conversationId=${this.current.conversationId}&limit=1`);
      const run = page.items[0];
      if (!run || Date.parse(run.createdAt) < this.current.sentAt - 60_000) {
        this.end({ code: 'NOT_FOUND', detail: 'the message was not taken; send it again' });
        return null;
      }
      runId = run.id;
      this.update({ ...this.current, runId });
    }
    return this.api.fetch('GET', `/runs/${runId}/events`, {
      headers: { accept: 'text/event-stream', 'last-event-id': String(this.current.lastEventId) },
      signal: this.abort.signal,
    });
  }

  private get current(): LiveRun {
    if (!this.run) throw new Error('no run is being followed');
    return this.run;
  }

  private end(error: { code: string; detail?: string }): void {
    this.update({ ...this.current, ended: true, status: 'failed', error });
  }

  private update(run: LiveRun): void {
    if (run === this.run) return;
    this.run = run;
    saveLiveRun(run);
    this.onUpdate(run);
  }
}

class StreamBroke extends Error {}

function isEventStream(response: Response): boolean {
  return response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
