import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { type Actor, AGENT_CONFIG_INVALIDATED, ConfigCacheContracts, type ResolvedAgent } from '#contracts';
import { BROADCAST, BUS_CLIENT, type Broadcast, type BusClient, HintedCache } from '#messaging';
import { EXECUTION_CONFIG } from '../execution-config.module.js';

/**
 * Agents as the agent service resolves them (the current version, or a pinned one), kept in this
 * replica's memory so that starting a run does not ask the agent service every time.
 *
 * Invalidation: the agent service broadcasts AGENT_CONFIG_INVALIDATED once a change to an agent
 * (an edit, a new version, deactivation, deletion) committed, before it answers the request that
 * made it; every replica forgets that agent, so the next start resolves it as it is now. A replica
 * that misses the broadcast keeps an entry for at most EXECUTION_AGENT_CACHE_MS, as the agent
 * service's own cache does. Only answers are kept: a refusal (not found, inactive) is asked again.
 */
@Injectable()
export class ResolvedAgentsService implements OnModuleDestroy {
  private readonly agents: HintedCache<ResolvedAgent>;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(BROADCAST) broadcast: Broadcast,
    @Inject(EXECUTION_CONFIG) config: ExecutionConfig,
  ) {
    this.agents = new HintedCache(config.agentCacheMs);
    this.unsubscribe = this.agents.listen(broadcast, AGENT_CONFIG_INVALIDATED, 'agentId');
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /**
   * The agent's version (its current one when none is given), as `actor` may see it: a user is
   * answered from memory only for their own agent; anything else is the agent service's to
   * answer, with its refusals (another user's agent is its 404).
   */
  async resolve(actor: Actor, agentId: string, version?: number): Promise<ResolvedAgent> {
    const key = version === undefined ? 'current' : String(version);
    const kept = this.agents.get(agentId, key)?.value;
    if (kept && (actor.kind === 'service' || kept.ownerId === actor.userId)) return kept;
    const stamp = this.agents.stamp();
    const agent = await this.bus.request(ConfigCacheContracts.resolve, { agentId, ...(version !== undefined ? { version } : {}) }, { actor });
    this.agents.set(agentId, key, agent, stamp);
    return agent;
  }
}
