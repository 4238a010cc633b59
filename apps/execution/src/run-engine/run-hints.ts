/** Broadcast subjects: hints that every replica hears. The database stays the truth. */
export const RUNS_WAKE_SUBJECT = 'execution.runs.wake';
export const RUNS_CANCEL_SUBJECT = 'execution.runs.cancel';

/** A wake hint names the worker whose process queued the run: that worker was woken in process and skips its own echo. */
export interface RunWakeHint {
  runId: string;
  from?: string;
}

export interface RunCancelHint {
  runId: string;
}
