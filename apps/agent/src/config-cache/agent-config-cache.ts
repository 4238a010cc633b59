import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AgentConfig } from '#config';
import { AGENT_CONFIG_INVALIDATED, type AgentSnapshot, type AgentView } from '#contracts';
import { BROADCAST, type Broadcast } from '#messaging';
import { AGENT_CONFIG } from '../agent-config.module.js';

/** What the cache keeps per agent: enough to answer resolve without the database. */
export interface CachedAgent {
  agentId: string;
  ownerId: string;
  name: string;
  isActive: boolean;
  currentVersion: number;
  /** What GET /agents/:id answers, as of the same committed state. */
  view: AgentView;
  /** Snapshots by version; versions are immutable, so an entry only ever gains versions. */
  snapshots: Map<number, AgentSnapshot>;
}

interface Entry {
  value: CachedAgent;
  expiresAt: number;
}

/**
 * Resolved agent configurations in this replica's memory for AGENT_CACHE_TTL seconds (seed 000).
 *
 * Invalidation: the agents service announces every change once its transaction committed, and
 * ConfigCacheService calls invalidate(), which forgets the entry here and broadcasts it to every
 * replica (a core-NATS subject without a queue group, so all of them hear it). A broadcast is a
 * hint, not a durable event: a replica that misses one (disconnected at that moment) serves the
 * previous current version for at most the TTL. Pinned versions are immutable and never stale.
 *
 * A load that started before an invalidation must not put the older state back: a load takes a
 * stamp() before it reads the database, and set() refuses an entry invalidated after that stamp.
 */
export const CACHE_INVALIDATED = AGENT_CONFIG_INVALIDATED;

@Injectable()
export class AgentConfigCache implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly invalidatedAt = new Map<string, number>();
  private sequence = 0;
  /** Stamps older than this cannot be checked any more (the marks were cleared): refused. */
  private clearedAt = 0;
  private readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(
    @Inject(AGENT_CONFIG) config: AgentConfig,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
  ) {
    this.ttlMs = config.cacheTtlSeconds * 1000;
    this.maxEntries = config.cacheMaxEntries;
  }

  onModuleInit(): void {
    this.unsubscribe = this.broadcast.subscribe<{ agentId?: unknown }>(CACHE_INVALIDATED, (message) => {
      if (typeof message?.agentId === 'string') this.forget(message.agentId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  get ttlSeconds(): number {
    return this.ttlMs / 1000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(agentId: string, now = Date.now()): CachedAgent | undefined {
    const entry = this.entries.get(agentId);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(agentId);
      return undefined;
    }
    return entry.value;
  }

  /** Take this before reading the database; pass it to set(). */
  stamp(): number {
    return this.sequence;
  }

  set(value: CachedAgent, stamp: number, now = Date.now()): boolean {
    if (this.ttlMs === 0 || stamp < this.clearedAt || (this.invalidatedAt.get(value.agentId) ?? 0) > stamp) return false;
    this.entries.delete(value.agentId);
    this.entries.set(value.agentId, { value, expiresAt: now + this.ttlMs });
    // Map keeps insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return true;
  }

  /** Forgets the agent here and on every other replica. Call after the change committed. */
  invalidate(agentId: string): void {
    this.forget(agentId);
    this.broadcast.publish(CACHE_INVALIDATED, { agentId });
  }

  private forget(agentId: string): void {
    this.entries.delete(agentId);
    this.sequence += 1;
    this.invalidatedAt.set(agentId, this.sequence);
    // Only loads in flight need the marks; keep the map from growing with every agent ever changed.
    if (this.invalidatedAt.size > this.maxEntries) {
      this.invalidatedAt.clear();
      this.clearedAt = this.sequence;
    }
  }
}
