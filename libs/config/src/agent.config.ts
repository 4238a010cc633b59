import { ConfigError } from './platform-config.js';

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

function int(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const parsed = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return fallback;
  }
  return parsed;
}

/** Throws ConfigError naming every bad variable, like loadConfig. */
export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const problems: string[] = [];
  const config: AgentConfig = {
    cacheTtlSeconds: int(env, 'AGENT_CACHE_TTL', 30, 0, 86_400, problems),
    cacheMaxEntries: int(env, 'AGENT_CACHE_MAX_ENTRIES', 10_000, 1, 1_000_000, problems),
    maxPromptChars: int(env, 'AGENT_MAX_PROMPT_CHARS', 32_000, 100, 1_000_000, problems),
    retentionDays: int(env, 'AGENT_RETENTION_DAYS', 30, 1, 3650, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
