import { ConfigError, loadAgentConfig } from '#config';

describe('agent service settings', () => {
  it('has defaults for every setting', () => {
    expect(loadAgentConfig({})).toEqual({ cacheTtlSeconds: 30, cacheMaxEntries: 10_000, maxPromptChars: 32_000, retentionDays: 30 });
  });

  it('reads each variable', () => {
    expect(loadAgentConfig({ AGENT_CACHE_TTL: '0', AGENT_CACHE_MAX_ENTRIES: '5', AGENT_MAX_PROMPT_CHARS: '100', AGENT_RETENTION_DAYS: '7' })).toEqual({
      cacheTtlSeconds: 0,
      cacheMaxEntries: 5,
      maxPromptChars: 100,
      retentionDays: 7,
    });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadAgentConfig({ AGENT_CACHE_TTL: '-1', AGENT_RETENTION_DAYS: 'a month' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'AGENT_CACHE_TTL must be an integer between 0 and 86400 (got "-1")',
      'AGENT_RETENTION_DAYS must be an integer between 1 and 3650 (got "a month")',
    ]);
  });
});
