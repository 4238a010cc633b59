import { ConfigError, EnvReader } from './platform-config.js';

/** Settings of the agent service, beyond PlatformConfig. */
export interface AgentConfig {
  /**
   * How long a resolved agent configuration stays in a replica's memory; 0 turns the cache off.
   * Short by default: until invalidation is broadcast to every replica, it bounds how long another
   * replica may serve the previous current version.
   */
  cacheTtlSeconds: number;
  /** Most entries one replica keeps; the oldest goes first. */
  cacheMaxEntries: number;
  /** Longest system prompt an agent may have, in characters. */
  maxPromptChars: number;
  /** How long a deleted agent can be restored. */
  retentionDays: number;
  /** Knowledge bases: limits and the ingestion worker's pace. */
  knowledge: {
    /** Largest document accepted, in bytes, as uploaded (text, file or fetched page). */
    maxDocumentBytes: number;
    /** How long a worker's claim on a document (or a re-embedding) lasts without a heartbeat. */
    leaseSeconds: number;
    /** How often an idle worker looks for work it was not woken for (another replica's, or after a crash). */
    pollMs: number;
    /** Chunks per embedding request. */
    embedBatch: number;
    /** Knowledge bases whose vectors one replica keeps in memory; the least recently searched goes first. */
    cacheMaxBases: number;
  };
}


/** Throws ConfigError naming every bad variable, like loadConfig. */
export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const r = new EnvReader(env);
  const problems = r.problems;
  const config: AgentConfig = {
    cacheTtlSeconds: r.int('AGENT_CACHE_TTL', 30, 0, 86_400),
    cacheMaxEntries: r.int('AGENT_CACHE_MAX_ENTRIES', 10_000, 1, 1_000_000),
    maxPromptChars: r.int('AGENT_MAX_PROMPT_CHARS', 32_000, 100, 1_000_000),
    retentionDays: r.int('AGENT_RETENTION_DAYS', 30, 1, 3650),
    knowledge: {
      maxDocumentBytes: r.int('KNOWLEDGE_MAX_DOCUMENT_BYTES', 5_000_000, 1_000, 100_000_000),
      leaseSeconds: r.int('KNOWLEDGE_LEASE_SECONDS', 30, 1, 3600),
      pollMs: r.int('KNOWLEDGE_POLL_MS', 2000, 20, 600_000),
      embedBatch: r.int('KNOWLEDGE_EMBED_BATCH', 32, 1, 2048),
      cacheMaxBases: r.int('KNOWLEDGE_CACHE_MAX_BASES', 50, 1, 10_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
