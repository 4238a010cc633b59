import { ConfigError, loadWorkflowConfig } from '#config';

describe('workflow service settings', () => {
  it('has defaults for every setting', () => {
    expect(loadWorkflowConfig({})).toEqual({ referenceTimeoutMs: 5000 });
  });

  it('reads each variable and names a bad one', () => {
    expect(loadWorkflowConfig({ WORKFLOW_REFERENCE_TIMEOUT_MS: '750' }).referenceTimeoutMs).toBe(750);
    expect(() => loadWorkflowConfig({ WORKFLOW_REFERENCE_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadWorkflowConfig({ WORKFLOW_REFERENCE_TIMEOUT_MS: '5' })).toThrow(/WORKFLOW_REFERENCE_TIMEOUT_MS/);
  });
});
