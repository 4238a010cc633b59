import { Module } from '@nestjs/common';
import { ModelProviders, PriceTable } from '#llm';
import { ProviderKeysModule } from '../provider-keys/provider-keys.module.js';
import { ResolvedAgentsModule } from '../resolved-agents/resolved-agents.module.js';
import { ProviderKeysService } from '../provider-keys/provider-keys.service.js';
import { RunEngineModule } from '../run-engine/run-engine.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { AgentLoopService } from './agent-loop.service.js';
import { MODEL_PROVIDERS_TOKEN, PRICE_TABLE_TOKEN } from './model-tokens.js';

/**
 * The agent executor: it registers itself with the run engine for runs of kind 'agent'. Provider
 * keys come from the request, else the user's stored key (asked of identity, which answers only
 * this service, and kept until identity says it changed), else the platform's environment.
 */
@Module({
  imports: [RunEngineModule, ToolsModule, ProviderKeysModule, ResolvedAgentsModule],
  providers: [
    AgentLoopService,
    {
      provide: MODEL_PROVIDERS_TOKEN,
      inject: [ProviderKeysService],
      useFactory: (keys: ProviderKeysService) => ModelProviders.fromEnv(process.env, { lookupStoredKey: ({ userId, provider }) => keys.lookup(userId, provider) }),
    },
    { provide: PRICE_TABLE_TOKEN, useFactory: () => PriceTable.fromEnv() },
  ],
  // The providers (with the stored-key lookup) also serve the embeddings module.
  exports: [AgentLoopService, MODEL_PROVIDERS_TOKEN],
})
export class AgentLoopModule {}
