import type { StepJournal } from '../run-engine/run-engine.service.js';

/** Least time between two token writes of one stream: bounds the writes a fast model causes. */
export const TOKEN_WRITE_INTERVAL_MS = 25;

/**
 * Streams a model call's text into the run's stored events without slowing the model down: the
 * first delta is written at once (time to first token: after the deltas that came in the same
 * read, which is no wait); after that, deltas are gathered and
 * written together at most every TOKEN_WRITE_INTERVAL_MS, so a fast model costs a few dozen
 * writes a second per run rather than one per token. flush() writes what is left at once.
 */
export class TokenStream {
  private pending = '';
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private lastWriteAt = 0;
  private flushing = false;
  /** rest() was called: what is pending is the caller's to store. */
  private closed = false;
  /** Ends the pause between writes early (flush). */
  private wakeUp: (() => void) | undefined;

  private readonly intervalMs: number;
  /** Told once, when the first write is stored (the bench's stages). */
  private firstStored: (() => void) | undefined;

  constructor(
    private readonly journal: StepJournal,
    private readonly step: number,
    options: { intervalMs?: number; firstStored?: () => void } = {},
  ) {
    this.intervalMs = options.intervalMs ?? TOKEN_WRITE_INTERVAL_MS;
    this.firstStored = options.firstStored;
  }

  push(text: string): void {
    if (text.length === 0 || this.failure !== undefined || this.closed) return;
    this.pending += text;
    if (!this.inFlight) this.pump();
  }

  /**
   * Ends the stream without writing what is still pending: resolves, once the write in flight is
   * stored, to the text no write took, for the caller to store with the step's end (one statement
   * rather than two). Rejects with the first write's failure, as flush() does.
   */
  async rest(): Promise<string> {
    this.closed = true;
    this.wakeUp?.();
    while (this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
    const text = this.pending;
    this.pending = '';
    return text;
  }

  /** Resolves when everything pushed is stored; rejects with the first write's failure (e.g. the lease was lost). */
  async flush(): Promise<void> {
    this.flushing = true;
    this.wakeUp?.();
    if (!this.inFlight && this.pending.length > 0) this.pump();
    while (this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  private pump(): void {
    this.inFlight = (async () => {
      while (this.pending.length > 0 && this.failure === undefined && !this.closed) {
        const wait = this.lastWriteAt + this.intervalMs - Date.now();
        if (wait > 0 && !this.flushing) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            this.wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeUp = undefined;
          if (this.closed) break;
        } else if (this.lastWriteAt === 0 && !this.flushing) {
          // The first write waits for the rest of what arrived with it (one read of the model's
          // stream): a model that answered whole ends here, and its text goes with the step's end.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.closed) break;
        }
        const text = this.pending;
        this.pending = '';
        this.lastWriteAt = Date.now();
        try {
          await this.journal.append('token', { step: this.step, text });
          this.firstStored?.();
          this.firstStored = undefined;
        } catch (err) {
          this.failure = err;
        }
      }
    })().finally(() => {
      this.inFlight = undefined;
      if (this.pending.length > 0 && this.failure === undefined && !this.closed) this.pump();
    });
  }
}
