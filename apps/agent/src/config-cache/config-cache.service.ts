import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Actor, type AgentView, type ResolvedAgent, type ResolveAgentRequest, type WarmReply, requireUserId } from '#contracts';
import { ActingUser } from '#persistence';
import { AgentsService, type ResolvableAgent } from '../agents/agents.service.js';
import { AgentConfigCache, type CachedAgent } from './agent-config-cache.js';
import { ConfigCacheErrors } from './config-cache.errors.js';

/**
 * Resolves agents for runs from this replica's cache, reading through the agents service on a
 * miss. The agents service knows nothing of the cache: it announces every committed change, and
 * the cache forgets the agent here and, by its broadcast, on every other replica.
 */
@Injectable()
export class ConfigCacheService implements OnModuleInit, OnModuleDestroy {
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly agents: AgentsService,
    private readonly cache: AgentConfigCache,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.agents.onChanged((agentId) => this.cache.invalidate(agentId));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /**
   * The pinned version of a live agent in one request. Services (the execution service) may
   * resolve any agent; a user only their own, and another user's agent is not found.
   */
  async resolve(actor: Actor, request: ResolveAgentRequest): Promise<ResolvedAgent> {
    const ownerId = actor.kind === 'service' ? undefined : requireUserId(actor);
    // A run's agent is read for whoever owns it; a user's read sees only their own.
    const cached = ownerId === undefined ? await ActingUser.system('resolve the agent of a run', () => this.load(request.agentId)) : await this.load(request.agentId);
    if (!cached || (ownerId !== undefined && cached.ownerId !== ownerId)) throw ConfigCacheErrors.agentNotFound();
    if (!cached.isActive) throw ConfigCacheErrors.inactive();
    const version = request.version ?? cached.currentVersion;
    let snapshot = cached.snapshots.get(version);
    if (!snapshot) {
      if (version > cached.currentVersion) throw ConfigCacheErrors.versionNotFound(version);
      snapshot = await this.agents.versionSnapshot(cached.agentId, version);
      cached.snapshots.set(version, snapshot);
    }
    return { agentId: cached.agentId, ownerId: cached.ownerId, name: cached.name, version, snapshot };
  }

  /**
   * One live agent of the caller as GET /agents/:id shows it; another user's is not found. The
   * agents service announces every committed change before its reply, and the cache's broadcast
   * reaches every replica before the client's next request, so a read after a write sees it.
   */
  async get(actor: Actor, agentId: string): Promise<AgentView> {
    const ownerId = requireUserId(actor);
    const cached = await this.load(agentId);
    if (!cached || cached.ownerId !== ownerId) throw ConfigCacheErrors.agentNotFound();
    return cached.view;
  }

  async warm(actor: Actor, request: ResolveAgentRequest): Promise<WarmReply> {
    await this.resolve(actor, request);
    return { warmed: 1, ttlSeconds: this.cache.ttlSeconds };
  }

  /** The caller's agents; every agent for a superuser. At most the cache's size, so warming cannot evict what it just loaded. */
  async warmAll(actor: Actor): Promise<WarmReply> {
    const userId = requireUserId(actor);
    const stamp = this.cache.stamp();
    const rows =
      actor.isSuperuser === true
        ? await ActingUser.system('a superuser warms every agent', () => this.agents.resolvable({ limit: this.cache.maxEntries }))
        : await this.agents.resolvable({ ownerId: userId, limit: this.cache.maxEntries });
    let warmed = 0;
    for (const row of rows) if (this.cache.set(this.toCached(row), stamp)) warmed++;
    return { warmed, ttlSeconds: this.cache.ttlSeconds };
  }

  private async load(agentId: string): Promise<CachedAgent | undefined> {
    const hit = this.cache.get(agentId);
    if (hit) return hit;
    const stamp = this.cache.stamp();
    const [row] = await this.agents.resolvable({ id: agentId, limit: 1 });
    if (!row) return undefined;
    const value = this.toCached(row);
    this.cache.set(value, stamp);
    return value;
  }

  private toCached({ agent, snapshot }: ResolvableAgent): CachedAgent {
    return {
      agentId: agent.id,
      ownerId: agent.ownerId,
      name: agent.name,
      isActive: agent.isActive,
      currentVersion: agent.currentVersion,
      view: this.agents.view(agent),
      snapshots: new Map([[agent.currentVersion, snapshot]]),
    };
  }
}
