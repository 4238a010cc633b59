/** Who may write to a running run: the worker holding this attempt's lease. */
export interface Fence {
  runId: string;
  attempt: number;
  leaseOwner: string;
}
