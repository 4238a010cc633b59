import type { StepJournal } from '../runs/run.types.js';

/**
 * Streams a model call's text into the run's stored events without slowing the model down: the
 * first delta is written at once (time to first token), and whatever arrives while a write is in
 * flight goes out together in the next one, so a fast model costs a few writes a second rather
 * than one per token.
 */
export class TokenStream {
  private pending = '';
  private inFlight: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly journal: StepJournal,
    private readonly step: number,
  ) {}

  push(text: string): void {
    if (text.length === 0 || this.failure !== undefined) return;
    this.pending += text;
    if (!this.inFlight) this.pump();
  }

  /** Resolves when everything pushed is stored; rejects with the first write's failure (e.g. the lease was lost). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  private pump(): void {
    this.inFlight = (async () => {
      while (this.pending.length > 0 && this.failure === undefined) {
        const text = this.pending;
        this.pending = '';
        try {
          await this.journal.append('token', { step: this.step, text });
        } catch (err) {
          this.failure = err;
        }
      }
    })().finally(() => {
      this.inFlight = undefined;
      if (this.pending.length > 0 && this.failure === undefined) this.pump();
    });
  }
}
