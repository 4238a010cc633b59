import { ConfigError, loadExecutionConfig } from '#config';

describe('execution service settings', () => {
  it('has defaults for every setting', () => {
    expect(loadExecutionConfig({})).toEqual({
      workerConcurrency: 32,
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      pollMs: 5000,
      maxAttempts: 3,
      retryDelayMs: 2000,
      runTimeoutSeconds: 300,
      runTimeoutMaxSeconds: 1800,
      maxActiveRunsPerUser: 10,
      defaultMaxSteps: 20,
      maxStepsCap: 100,
      maxTokensCap: 1_000_000,
      budgetCapMicros: 0,
      httpToolAllowlist: [],
      modelTimeoutMs: 120_000,
      modelMaxRetries: 2,
      historyMaxTokens: 16_000,
      tokenEventRetentionDays: 30,
      compactionIntervalSeconds: 3600,
      toolTimeoutMs: 30_000,
      webhookMaxAttempts: 8,
      webhookRetryBaseMs: 10_000,
      webhookPollMs: 2000,
      webhookTimeoutMs: 10_000,
      runRetentionDays: 90,
      providerKeyCacheMs: 60_000,
      agentCacheMs: 60_000,
      runStages: false,
    });
  });

  it('reads each variable', () => {
    expect(
      loadExecutionConfig({
        EXECUTION_WORKER_CONCURRENCY: '0',
        EXECUTION_LEASE_MS: '1000',
        EXECUTION_HEARTBEAT_MS: '200',
        EXECUTION_POLL_MS: '100',
        EXECUTION_MAX_ATTEMPTS: '5',
        EXECUTION_RETRY_DELAY_MS: '0',
        EXECUTION_RUN_TIMEOUT_SECONDS: '60',
        EXECUTION_RUN_TIMEOUT_MAX_SECONDS: '120',
        EXECUTION_MAX_ACTIVE_RUNS_PER_USER: '3',
        EXECUTION_DEFAULT_MAX_STEPS: '5',
        EXECUTION_MAX_STEPS_CAP: '10',
        EXECUTION_MAX_TOKENS_CAP: '5000',
        EXECUTION_BUDGET_CAP_MICROS: '250000',
        EXECUTION_HTTP_TOOL_ALLOWLIST: ' Example.com, *.wikipedia.org ,127.0.0.1:8080',
        EXECUTION_MODEL_TIMEOUT_MS: '30000',
        EXECUTION_MODEL_MAX_RETRIES: '0',
        EXECUTION_HISTORY_MAX_TOKENS: '4000',
        EXECUTION_TOKEN_EVENT_RETENTION_DAYS: '7',
        EXECUTION_COMPACTION_INTERVAL_SECONDS: '0',
        EXECUTION_TOOL_TIMEOUT_MS: '5000',
        EXECUTION_WEBHOOK_MAX_ATTEMPTS: '3',
        EXECUTION_WEBHOOK_RETRY_BASE_MS: '50',
        EXECUTION_WEBHOOK_POLL_MS: '100',
        EXECUTION_WEBHOOK_TIMEOUT_MS: '1000',
        EXECUTION_RUN_RETENTION_DAYS: '0',
        EXECUTION_PROVIDER_KEY_CACHE_MS: '0',
        EXECUTION_AGENT_CACHE_MS: '0',
        EXECUTION_RUN_STAGES: 'true',
      }),
    ).toEqual({
      workerConcurrency: 0,
      leaseMs: 1000,
      heartbeatMs: 200,
      pollMs: 100,
      maxAttempts: 5,
      retryDelayMs: 0,
      runTimeoutSeconds: 60,
      runTimeoutMaxSeconds: 120,
      maxActiveRunsPerUser: 3,
      defaultMaxSteps: 5,
      maxStepsCap: 10,
      maxTokensCap: 5000,
      budgetCapMicros: 250_000,
      httpToolAllowlist: ['example.com', '*.wikipedia.org', '127.0.0.1:8080'],
      modelTimeoutMs: 30_000,
      modelMaxRetries: 0,
      historyMaxTokens: 4000,
      tokenEventRetentionDays: 7,
      compactionIntervalSeconds: 0,
      toolTimeoutMs: 5000,
      webhookMaxAttempts: 3,
      webhookRetryBaseMs: 50,
      webhookPollMs: 100,
      webhookTimeoutMs: 1000,
      runRetentionDays: 0,
      providerKeyCacheMs: 0,
      agentCacheMs: 0,
      runStages: true,
    });
  });

  it('names every bad variable at once', () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadExecutionConfig(env);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ EXECUTION_LEASE_MS: 'soon', EXECUTION_MAX_ATTEMPTS: '0' })).toEqual([
      'EXECUTION_LEASE_MS must be an integer between 200 and 3600000 (got "soon")',
      'EXECUTION_MAX_ATTEMPTS must be an integer between 1 and 100 (got "0")',
    ]);
    expect(problems({ EXECUTION_LEASE_MS: '1000', EXECUTION_HEARTBEAT_MS: '800' })).toEqual([
      'EXECUTION_HEARTBEAT_MS must be at most half of EXECUTION_LEASE_MS (got 800 and 1000)',
    ]);
    expect(problems({ EXECUTION_RUN_TIMEOUT_SECONDS: '600', EXECUTION_RUN_TIMEOUT_MAX_SECONDS: '60' })).toEqual([
      'EXECUTION_RUN_TIMEOUT_SECONDS must not exceed EXECUTION_RUN_TIMEOUT_MAX_SECONDS (got 600 and 60)',
    ]);
  });
});
