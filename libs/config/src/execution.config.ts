import { ConfigError, EnvReader } from './platform-config.js';

/** Settings of the execution service, beyond PlatformConfig. */
export interface ExecutionConfig {
  /** Runs one replica executes at once; 0 makes the replica queue and cancel runs but never execute them. */
  workerConcurrency: number;
  /** How long a claimed run stays with its worker without a heartbeat before another worker may take it over. */
  leaseMs: number;
  /** How often a worker extends the leases it holds; at most half the lease, so one late beat loses nothing. */
  heartbeatMs: number;
  /** How often an idle worker looks for work on its own; the wake-up broadcast is only a hint and may be lost. */
  pollMs: number;
  /** Failed attempts (the executor threw, or its worker vanished) after which a run ends `failed`. */
  maxAttempts: number;
  /** Pause before a failed attempt is retried. */
  retryDelayMs: number;
  /** Wall-clock limit of a run that asks for none. */
  runTimeoutSeconds: number;
  /** The operator's cap on any run's wall-clock limit. */
  runTimeoutMaxSeconds: number;
  /** Runs one user may have pending or running at once; more answer 429. */
  maxActiveRunsPerUser: number;
  /** Model calls a run may make when neither the agent nor the request says. */
  defaultMaxSteps: number;
  /** The operator's cap on model calls per run. */
  maxStepsCap: number;
  /** The operator's cap on tokens per run (prompt + completion over every model call). */
  maxTokensCap: number;
  /** The operator's cap on a run's cost in micro-dollars; 0 for none. */
  budgetCapMicros: number;
  /** Hosts the built-in http_get tool may fetch (`example.com`, `*.example.com`, `host:port`); empty disables it. */
  httpToolAllowlist: string[];
  /** One model call's time limit. */
  modelTimeoutMs: number;
  /** Retries inside one model call for 429, 5xx and network errors, before the run fails with the provider's error. */
  modelMaxRetries: number;
  /** The history a run reads from its conversation, in tokens (about 4 characters each). */
  historyMaxTokens: number;
  /** Days the token events of an ended run are kept (its other events and its output stay); 0 keeps them for ever. */
  tokenEventRetentionDays: number;
  /** How often each replica removes token events past retention; 0 never. */
  compactionIntervalSeconds: number;
  /** Longest wait for one tool call through the integration service (MCP servers, HTTP tools). */
  toolTimeoutMs: number;
  /** Deliveries of a run webhook before it is given up. */
  webhookMaxAttempts: number;
  /** Pause before a failed delivery's first retry; it doubles with each retry (at most an hour). */
  webhookRetryBaseMs: number;
  /** How often each replica looks for webhook deliveries that are due. */
  webhookPollMs: number;
  /** How long one delivery waits for the receiver's answer. */
  webhookTimeoutMs: number;
  /** Days the steps, events and webhook deliveries of an ended run are kept (the run itself stays); 0 keeps them for ever. */
  runRetentionDays: number;
  /**
   * How long a user's stored provider key (or that there is none), as identity revealed it, is
   * kept in memory; identity's broadcast drops it at once when the key changes, this bounds a
   * missed broadcast. 0 asks identity for every model client.
   */
  providerKeyCacheMs: number;
  /**
   * How long an agent as the agent service resolved it (its current or a pinned version) is kept
   * in memory; the agent service's broadcast drops it at once when the agent changes, this bounds
   * a missed broadcast. 0 asks the agent service at every start.
   */
  agentCacheMs: number;
  /** Writes each run's stage timestamps and counts to stdout when it ends (a diagnostic for the bench, off in service). */
  runStages: boolean;
}


/** Throws ConfigError naming every bad variable, like loadConfig. */
export function loadExecutionConfig(env: Record<string, string | undefined> = process.env): ExecutionConfig {
  const r = new EnvReader(env);
  const problems = r.problems;
  const config: ExecutionConfig = {
    workerConcurrency: r.int('EXECUTION_WORKER_CONCURRENCY', 32, 0, 1000),
    leaseMs: r.int('EXECUTION_LEASE_MS', 30_000, 200, 3_600_000),
    heartbeatMs: r.int('EXECUTION_HEARTBEAT_MS', 10_000, 50, 1_800_000),
    pollMs: r.int('EXECUTION_POLL_MS', 5000, 50, 600_000),
    maxAttempts: r.int('EXECUTION_MAX_ATTEMPTS', 3, 1, 100),
    retryDelayMs: r.int('EXECUTION_RETRY_DELAY_MS', 2000, 0, 3_600_000),
    runTimeoutSeconds: r.int('EXECUTION_RUN_TIMEOUT_SECONDS', 300, 1, 86_400),
    runTimeoutMaxSeconds: r.int('EXECUTION_RUN_TIMEOUT_MAX_SECONDS', 1800, 1, 86_400),
    maxActiveRunsPerUser: r.int('EXECUTION_MAX_ACTIVE_RUNS_PER_USER', 10, 1, 100_000),
    defaultMaxSteps: r.int('EXECUTION_DEFAULT_MAX_STEPS', 20, 1, 200),
    maxStepsCap: r.int('EXECUTION_MAX_STEPS_CAP', 100, 1, 200),
    maxTokensCap: r.int('EXECUTION_MAX_TOKENS_CAP', 1_000_000, 1, 100_000_000),
    budgetCapMicros: r.int('EXECUTION_BUDGET_CAP_MICROS', 0, 0, Number.MAX_SAFE_INTEGER),
    httpToolAllowlist: (r.optionalString('EXECUTION_HTTP_TOOL_ALLOWLIST') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
    modelTimeoutMs: r.int('EXECUTION_MODEL_TIMEOUT_MS', 120_000, 100, 3_600_000),
    modelMaxRetries: r.int('EXECUTION_MODEL_MAX_RETRIES', 2, 0, 10),
    historyMaxTokens: r.int('EXECUTION_HISTORY_MAX_TOKENS', 16_000, 100, 150_000),
    tokenEventRetentionDays: r.int('EXECUTION_TOKEN_EVENT_RETENTION_DAYS', 30, 0, 36_500),
    compactionIntervalSeconds: r.int('EXECUTION_COMPACTION_INTERVAL_SECONDS', 3600, 0, 604_800),
    toolTimeoutMs: r.int('EXECUTION_TOOL_TIMEOUT_MS', 30_000, 100, 600_000),
    webhookMaxAttempts: r.int('EXECUTION_WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
    webhookRetryBaseMs: r.int('EXECUTION_WEBHOOK_RETRY_BASE_MS', 10_000, 10, 3_600_000),
    webhookPollMs: r.int('EXECUTION_WEBHOOK_POLL_MS', 2000, 20, 600_000),
    webhookTimeoutMs: r.int('EXECUTION_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    runRetentionDays: r.int('EXECUTION_RUN_RETENTION_DAYS', 90, 0, 36_500),
    providerKeyCacheMs: r.int('EXECUTION_PROVIDER_KEY_CACHE_MS', 60_000, 0, 3_600_000),
    agentCacheMs: r.int('EXECUTION_AGENT_CACHE_MS', 60_000, 0, 3_600_000),
    runStages: r.bool('EXECUTION_RUN_STAGES', false),
  };
  if (problems.length === 0 && config.heartbeatMs * 2 > config.leaseMs) {
    problems.push(`EXECUTION_HEARTBEAT_MS must be at most half of EXECUTION_LEASE_MS (got ${config.heartbeatMs} and ${config.leaseMs})`);
  }
  if (problems.length === 0 && config.runTimeoutSeconds > config.runTimeoutMaxSeconds) {
    problems.push(`EXECUTION_RUN_TIMEOUT_SECONDS must not exceed EXECUTION_RUN_TIMEOUT_MAX_SECONDS (got ${config.runTimeoutSeconds} and ${config.runTimeoutMaxSeconds})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
