import { Controller } from '@nestjs/common';
import { type Actor, AgentContracts, AgentIdRequest, type AgentView, ConfigCacheContracts, type ResolvedAgent, ResolveAgentRequest, type WarmReply, WarmAllRequest } from '#contracts';
import { Rpc } from '#messaging';
import { ConfigCacheService } from './config-cache.service.js';

@Controller()
export class ConfigCacheHandler {
  constructor(private readonly configs: ConfigCacheService) {}

  /** GET /agents/:id: answered from the cache, which the agents service keeps honest (see ConfigCacheService). */
  @Rpc(AgentContracts.get)
  get(request: AgentIdRequest, actor: Actor): Promise<AgentView> {
    return this.configs.get(actor, request.id);
  }

  @Rpc(ConfigCacheContracts.resolve)
  resolve(request: ResolveAgentRequest, actor: Actor): Promise<ResolvedAgent> {
    return this.configs.resolve(actor, request);
  }

  @Rpc(ConfigCacheContracts.warm)
  warm(request: ResolveAgentRequest, actor: Actor): Promise<WarmReply> {
    return this.configs.warm(actor, request);
  }

  @Rpc(ConfigCacheContracts.warmAll)
  warmAll(_: WarmAllRequest, actor: Actor): Promise<WarmReply> {
    return this.configs.warmAll(actor);
  }
}
