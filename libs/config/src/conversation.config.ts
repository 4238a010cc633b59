import { ConfigError, EnvReader } from './platform-config.js';

export const MEMORY_BACKENDS = ['sql', 'in_memory'] as const;
export type MemoryBackendName = (typeof MEMORY_BACKENDS)[number];

/** Settings of the conversation service, beyond PlatformConfig. */
export interface ConversationConfig {
  /** Longest message a user may write, in characters. */
  maxMessageChars: number;
  /** How long a deleted conversation or message can be restored before the purge job removes it. */
  retentionDays: number;
  /** How often the purge job runs; 0 turns it off (tests, maintenance). */
  purgeIntervalSeconds: number;
  /**
   * Largest attachment. The bytes travel base64-encoded inside one bus message, and NATS refuses
   * messages over 1 MiB by default, so the ceiling is 700,000 bytes (933 kB once encoded).
   */
  attachmentMaxBytes: number;
  /** Content types an upload may declare; anything else is refused with 415. */
  attachmentTypes: string[];
  /**
   * Where run memory is read from: this service's tables on every run (sql), or the same tables
   * with what was read kept in this process until a commit changes the conversation (in_memory,
   * single-process mode only: other replicas would not hear the changes).
   */
  memoryBackend: MemoryBackendName;
}

export const DEFAULT_ATTACHMENT_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/json',
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
];


const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/**
 * Throws ConfigError naming every bad variable, like loadConfig. `ownProcess`: the conversation
 * service runs as a process of its own (and may have replicas), not inside the single-process
 * platform.
 */
export function loadConversationConfig(env: Record<string, string | undefined> = process.env, options: { ownProcess?: boolean } = {}): ConversationConfig {
  const r = new EnvReader(env);
  const problems = r.problems;
  const typesRaw = env.CONVERSATION_ATTACHMENT_TYPES?.trim();
  const attachmentTypes = typesRaw
    ? typesRaw
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== '')
    : DEFAULT_ATTACHMENT_TYPES;
  const badType = attachmentTypes.find((t) => !MEDIA_TYPE.test(t));
  if (badType !== undefined || attachmentTypes.length === 0) {
    problems.push(`CONVERSATION_ATTACHMENT_TYPES must be a comma-separated list of media types like text/plain (got "${typesRaw ?? ''}")`);
  }
  const backendRaw = env.CONVERSATION_MEMORY_BACKEND?.trim() || 'sql';
  if (backendRaw === 'file') {
    problems.push('CONVERSATION_MEMORY_BACKEND=file is no longer offered (its copies outlived deleted messages); use sql');
  } else if (!(MEMORY_BACKENDS as readonly string[]).includes(backendRaw)) {
    problems.push(`CONVERSATION_MEMORY_BACKEND must be one of ${MEMORY_BACKENDS.join(', ')} (got "${backendRaw}")`);
  } else if (backendRaw === 'in_memory' && options.ownProcess) {
    problems.push(
      'CONVERSATION_MEMORY_BACKEND=in_memory is allowed only in single-process mode (npm start): a conversation service of its own may run as several replicas, and only the one that made a change would forget its memory; use sql',
    );
  }
  const config: ConversationConfig = {
    maxMessageChars: r.int('CONVERSATION_MAX_MESSAGE_CHARS', 32_000, 1, 1_000_000),
    retentionDays: r.int('CONVERSATION_RETENTION_DAYS', 30, 1, 3650),
    purgeIntervalSeconds: r.int('CONVERSATION_PURGE_INTERVAL_SECONDS', 3600, 0, 604_800),
    attachmentMaxBytes: r.int('CONVERSATION_ATTACHMENT_MAX_BYTES', 524_288, 1, 700_000),
    attachmentTypes,
    memoryBackend: backendRaw as MemoryBackendName,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
