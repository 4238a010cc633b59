import { ConfigError, loadExecutionConfig } from '#config';

describe('execution service settings', () => {
  it('has defaults for every setting', () => {
    expect(loadExecutionConfig({})).toEqual({
      workerConcurrency: 4,
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      pollMs: 5000,
      maxAttempts: 3,
      retryDelayMs: 2000,
      runTimeoutSeconds: 300,
      runTimeoutMaxSeconds: 1800,
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
      }),
    ).toEqual({ workerConcurrency: 0, leaseMs: 1000, heartbeatMs: 200, pollMs: 100, maxAttempts: 5, retryDelayMs: 0, runTimeoutSeconds: 60, runTimeoutMaxSeconds: 120 });
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
