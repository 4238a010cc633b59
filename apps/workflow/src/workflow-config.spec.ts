import { ConfigError, loadWorkflowConfig } from '#config';

describe('workflow service settings', () => {
  it('has defaults for every setting', () => {
    expect(loadWorkflowConfig({})).toEqual({ referenceTimeoutMs: 5000, publicLinkRunsPerMinute: 60, publicRunsPerAddressPerMinute: 10, publicRunWaitMs: 20_000, schedulerIntervalMs: 1000, scheduleMissedAfterMs: 60_000 });
  });

  it('reads each variable and names a bad one', () => {
    expect(
      loadWorkflowConfig({
        WORKFLOW_REFERENCE_TIMEOUT_MS: '750',
        WORKFLOW_PUBLIC_LINK_RUNS_PER_MINUTE: '5',
        WORKFLOW_PUBLIC_RUNS_PER_ADDRESS_PER_MINUTE: '0',
        WORKFLOW_PUBLIC_RUN_WAIT_MS: '1000',
        WORKFLOW_SCHEDULER_INTERVAL_MS: '0',
        WORKFLOW_SCHEDULE_MISSED_AFTER_MS: '5000',
      }),
    ).toEqual({ referenceTimeoutMs: 750, publicLinkRunsPerMinute: 5, publicRunsPerAddressPerMinute: 0, publicRunWaitMs: 1000, schedulerIntervalMs: 0, scheduleMissedAfterMs: 5000 });
    expect(() => loadWorkflowConfig({ WORKFLOW_PUBLIC_RUN_WAIT_MS: '60000' })).toThrow(/WORKFLOW_PUBLIC_RUN_WAIT_MS/);
    expect(() => loadWorkflowConfig({ WORKFLOW_REFERENCE_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadWorkflowConfig({ WORKFLOW_REFERENCE_TIMEOUT_MS: '5' })).toThrow(/WORKFLOW_REFERENCE_TIMEOUT_MS/);
  });
});
