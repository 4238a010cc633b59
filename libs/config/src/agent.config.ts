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
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
