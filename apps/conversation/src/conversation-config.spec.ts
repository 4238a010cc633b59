import { ConfigError, loadConversationConfig } from '#config';

describe('conversation service settings', () => {
  it('has defaults for every setting, attachments under DATA_DIR', () => {
    expect(loadConversationConfig({ DATA_DIR: '/var/lib/ap/' })).toEqual({
      maxMessageChars: 32_000,
      retentionDays: 30,
      purgeIntervalSeconds: 3600,
      attachmentMaxBytes: 524_288,
      attachmentTypes: ['text/plain', 'text/markdown', 'text/csv', 'application/json', 'application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp'],
      memoryBackend: 'sql',
    });
  });

  it('reads each variable', () => {
    expect(
      loadConversationConfig({
        CONVERSATION_MAX_MESSAGE_CHARS: '100',
        CONVERSATION_RETENTION_DAYS: '7',
        CONVERSATION_PURGE_INTERVAL_SECONDS: '0',
        CONVERSATION_ATTACHMENT_MAX_BYTES: '700000',
        CONVERSATION_ATTACHMENT_TYPES: ' Text/Plain , image/png',
        CONVERSATION_MEMORY_BACKEND: 'in_memory',
      }),
    ).toEqual({
      maxMessageChars: 100,
      retentionDays: 7,
      purgeIntervalSeconds: 0,
      attachmentMaxBytes: 700_000,
      attachmentTypes: ['text/plain', 'image/png'],
      memoryBackend: 'in_memory',
    });
  });

  it('names every bad variable at once, including an attachment limit the bus could not carry', () => {
    let error: unknown;
    try {
      loadConversationConfig({ CONVERSATION_ATTACHMENT_MAX_BYTES: '1048576', CONVERSATION_ATTACHMENT_TYPES: 'text/plain,not a type', CONVERSATION_MEMORY_BACKEND: 'redis' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'CONVERSATION_ATTACHMENT_TYPES must be a comma-separated list of media types like text/plain (got "text/plain,not a type")',
      'CONVERSATION_MEMORY_BACKEND must be one of sql, in_memory (got "redis")',
      'CONVERSATION_ATTACHMENT_MAX_BYTES must be an integer between 1 and 700000 (got "1048576")',
    ]);
  });

  it('refuses in_memory memory for a conversation service of its own (replicas would not hear changes), and the removed file backend', () => {
    const problems = (env: Record<string, string>, options?: { ownProcess: boolean }) => {
      try {
        loadConversationConfig(env, options);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ CONVERSATION_MEMORY_BACKEND: 'in_memory' }, { ownProcess: true })).toEqual([
      'CONVERSATION_MEMORY_BACKEND=in_memory is allowed only in single-process mode (npm start): a conversation service of its own may run as several replicas, and only the one that made a change would forget its memory; use sql',
    ]);
    expect(problems({ CONVERSATION_MEMORY_BACKEND: 'in_memory' })).toEqual([]);
    expect(problems({ CONVERSATION_MEMORY_BACKEND: 'sql' }, { ownProcess: true })).toEqual([]);
    expect(problems({ CONVERSATION_MEMORY_BACKEND: 'file' })).toEqual(['CONVERSATION_MEMORY_BACKEND=file is no longer offered (its copies outlived deleted messages); use sql']);
  });
});
