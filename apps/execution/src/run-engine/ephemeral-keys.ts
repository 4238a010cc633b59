import { Injectable } from '@nestjs/common';

/**
 * Provider keys sent with a request, held in this process's memory only, for the run they came
 * with: never written to the database, a log or an event. The run names this worker as its key
 * holder so no other worker claims it while the key is here; if this process dies the key is
 * gone and the run fails with a message asking to send it again.
 */
@Injectable()
export class EphemeralKeys {
  private readonly keys = new Map<string, { key: string; timer: NodeJS.Timeout }>();

  put(runId: string, key: string, ttlMs: number): void {
    this.delete(runId);
    const timer = setTimeout(() => this.keys.delete(runId), ttlMs);
    timer.unref();
    this.keys.set(runId, { key, timer });
  }

  get(runId: string): string | undefined {
    return this.keys.get(runId)?.key;
  }

  delete(runId: string): void {
    const held = this.keys.get(runId);
    if (!held) return;
    clearTimeout(held.timer);
    this.keys.delete(runId);
  }
}
