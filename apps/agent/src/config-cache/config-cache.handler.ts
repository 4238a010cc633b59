import { Controller } from '@nestjs/common';
import { type Actor, ConfigCacheContracts, type ResolvedAgent, ResolveAgentRequest, type WarmReply, WarmAllRequest } from '#contracts';
import { Rpc } from '#messaging';
import { ConfigCacheService } from './config-cache.service.js';

@Controller()
export class ConfigCacheHandler {
  constructor(private readonly configs: ConfigCacheService) {}

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
