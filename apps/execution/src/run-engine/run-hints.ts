/** Broadcast subjects: hints that every replica hears. The database stays the truth. */
export const RUNS_WAKE_SUBJECT = 'execution.runs.wake';
export const RUNS_CANCEL_SUBJECT = 'execution.runs.cancel';

export interface RunCancelHint {
  runId: string;
}
