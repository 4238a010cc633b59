import { ConfigError, EnvReader } from './platform-config.js';

/** Settings of the workflow service, beyond PlatformConfig. */
export interface WorkflowConfig {
  /**
   * How long saving a workflow waits for the service that owns a reference (agents, tools,
   * knowledge bases) to confirm it; past that the save fails with 503 rather than pass unchecked.
   */
  referenceTimeoutMs: number;
}

/** Throws ConfigError naming every bad variable, like loadConfig. */
export function loadWorkflowConfig(env: Record<string, string | undefined> = process.env): WorkflowConfig {
  const r = new EnvReader(env);
  const config: WorkflowConfig = {
    referenceTimeoutMs: r.int('WORKFLOW_REFERENCE_TIMEOUT_MS', 5000, 100, 60_000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
