import { ConfigError, loadAgentConfig } from '#config';

describe('agent service settings', () => {
  it('has defaults for every setting', () => {
    expect(loadAgentConfig({})).toEqual({
      cacheTtlSeconds: 30,
      cacheMaxEntries: 10_000,
      maxPromptChars: 32_000,
      retentionDays: 30,
      knowledge: { maxDocumentBytes: 5_000_000, leaseSeconds: 30, pollMs: 2000, embedBatch: 32, cacheMaxBases: 50 },
    });
  });

  it('reads each variable', () => {
    expect(
      loadAgentConfig({
        AGENT_CACHE_TTL: '0',
        AGENT_CACHE_MAX_ENTRIES: '5',
        AGENT_MAX_PROMPT_CHARS: '100',
        AGENT_RETENTION_DAYS: '7',
        KNOWLEDGE_MAX_DOCUMENT_BYTES: '2000',
        KNOWLEDGE_LEASE_SECONDS: '2',
        KNOWLEDGE_POLL_MS: '100',
        KNOWLEDGE_EMBED_BATCH: '4',
        KNOWLEDGE_CACHE_MAX_BASES: '3',
      }),
    ).toEqual({
      cacheTtlSeconds: 0,
      cacheMaxEntries: 5,
      maxPromptChars: 100,
      retentionDays: 7,
      knowledge: { maxDocumentBytes: 2000, leaseSeconds: 2, pollMs: 100, embedBatch: 4, cacheMaxBases: 3 },
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
