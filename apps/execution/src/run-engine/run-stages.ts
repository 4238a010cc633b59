import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { BusTelemetry } from '#messaging';
import { ActingUserClient } from '#persistence';
import { EXECUTION_CONFIG } from '../execution-config.module.js';

/** A moment: the wall-clock time in ms (comparable across processes of one machine), SQL statements and bus requests sent so far. */
export type Moment = [atMs: number, statements: number, busRequests: number];

/** One mark: the stage and its moment. */
type Mark = [stage: string, ...Moment];

/** What now() answers when stages are off. */
const OFF: Moment = [0, 0, 0];

/** How long after its end a run's marks wait for late ones (the waiting reader's answer) before they are written. */
const LINGER_MS = 250;

/**
 * Where a run's time goes, for the bench (`--run-stages`): with EXECUTION_RUN_STAGES on, every
 * stage of a run is marked with the wall-clock time and this process's running counts of SQL
 * statements and bus requests, and shortly after the run ends one JSON line `{"runStages": ...}`
 * goes to stdout. The counts are process-wide: the differences are one run's only when runs go one
 * at a time, as in the bench. Off (the default), a mark costs one property read.
 */
@Injectable()
export class RunStages {
  private readonly marks = new Map<string, Mark[]>();

  constructor(@Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig) {}

  /** The moment a mark would take now, for a stage reached before the run had an id. */
  now(): Moment {
    if (!this.config.runStages) return OFF;
    return [performance.timeOrigin + performance.now(), ActingUserClient.sent, BusTelemetry.counts.sent];
  }

  mark(runId: string, stage: string, at?: Moment): void {
    if (!this.config.runStages) return;
    let marks = this.marks.get(runId);
    if (!marks) this.marks.set(runId, (marks = []));
    marks.push([stage, ...(at ?? this.now())]);
  }

  /** The run ended: its marks are written once the reader's answer had time to be marked too. */
  ended(runId: string): void {
    if (!this.config.runStages) return;
    this.mark(runId, 'ended');
    setTimeout(() => {
      const marks = this.marks.get(runId);
      this.marks.delete(runId);
      if (marks) process.stdout.write(`${JSON.stringify({ runStages: { runId, marks } })}\n`);
    }, LINGER_MS).unref();
  }
}
