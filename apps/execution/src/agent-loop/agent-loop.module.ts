import { Module } from '@nestjs/common';
import { AccountContracts, AppError, ErrorCode, serviceActor } from '#contracts';
import { ModelProviders, PriceTable } from '#llm';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { RunEngineModule } from '../run-engine/run-engine.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { AgentLoopService } from './agent-loop.service.js';
import { MODEL_PROVIDERS_TOKEN, PRICE_TABLE_TOKEN } from './model-tokens.js';

/**
 * The agent executor: it registers itself with the run engine for runs of kind 'agent'. Provider
 * keys come from the request, else the user's stored key (asked of identity, which answers only
 * this service), else the platform's environment.
 */
@Module({
  imports: [RunEngineModule, ToolsModule],
  providers: [
    AgentLoopService,
    {
      provide: MODEL_PROVIDERS_TOKEN,
      inject: [BUS_CLIENT],
      useFactory: (bus: BusClient) =>
        ModelProviders.fromEnv(process.env, {
          lookupStoredKey: async ({ userId, provider }) => {
            try {
              return (await bus.request(AccountContracts.revealProviderKey, { userId, provider }, { actor: serviceActor('execution') })).apiKey;
            } catch (err) {
              // No stored key is the usual case; anything else (identity down) must not fall back to the platform's key.
              if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return undefined;
              throw err;
            }
          },
        }),
    },
    { provide: PRICE_TABLE_TOKEN, useFactory: () => PriceTable.fromEnv() },
  ],
  // The providers (with the stored-key lookup) also serve the embeddings module.
  exports: [AgentLoopService, MODEL_PROVIDERS_TOKEN],
})
export class AgentLoopModule {}
