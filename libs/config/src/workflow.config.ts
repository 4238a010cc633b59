import { ConfigError, EnvReader } from './platform-config.js';

/** Settings of the workflow service, beyond PlatformConfig. */
export interface WorkflowConfig {
  /**
   * How long saving a workflow waits for the service that owns a reference (agents, tools,
   * knowledge bases) to confirm it; past that the save fails with 503 rather than pass unchecked.
   */
  referenceTimeoutMs: number;
  /** Runs a public link allows per minute (from every caller together) unless it says otherwise. */
  publicLinkRunsPerMinute: number;
  /** Runs one client address may start per minute through public links, across all of them; 0 turns the limit off. */
  publicRunsPerAddressPerMinute: number;
  /** How long POST /public/workflows/:token/runs waits for the run before answering 202 with its id. */
  publicRunWaitMs: number;
  /** How often each replica looks for due schedule ticks; 0 turns the scheduler off on this replica. */
  schedulerIntervalMs: number;
  /** A tick found due later than this counts as missed, and its schedule's missedPolicy applies. */
  scheduleMissedAfterMs: number;
}

/** Throws ConfigError naming every bad variable, like loadConfig. */
export function loadWorkflowConfig(env: Record<string, string | undefined> = process.env): WorkflowConfig {
  const r = new EnvReader(env);
  const config: WorkflowConfig = {
    referenceTimeoutMs: r.int('WORKFLOW_REFERENCE_TIMEOUT_MS', 5000, 100, 60_000),
    publicLinkRunsPerMinute: r.int('WORKFLOW_PUBLIC_LINK_RUNS_PER_MINUTE', 60, 1, 10_000),
    publicRunsPerAddressPerMinute: r.int('WORKFLOW_PUBLIC_RUNS_PER_ADDRESS_PER_MINUTE', 10, 0, 10_000),
    publicRunWaitMs: r.int('WORKFLOW_PUBLIC_RUN_WAIT_MS', 20_000, 0, 20_000),
    schedulerIntervalMs: r.int('WORKFLOW_SCHEDULER_INTERVAL_MS', 1000, 0, 60_000),
    scheduleMissedAfterMs: r.int('WORKFLOW_SCHEDULE_MISSED_AFTER_MS', 60_000, 1000, 86_400_000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
