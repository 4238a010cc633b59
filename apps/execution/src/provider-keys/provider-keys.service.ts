import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { AccountContracts, AppError, ErrorCode, type ModelProvider, PROVIDER_KEYS_CHANGED, serviceActor } from '#contracts';
import { BROADCAST, BUS_CLIENT, type Broadcast, type BusClient, HintedCache } from '#messaging';
import { EXECUTION_CONFIG } from '../execution-config.module.js';

const EXECUTION = serviceActor('execution');

/**
 * Users' stored provider keys as identity reveals them, kept in this replica's memory so that a
 * run does not ask identity (a bus round trip and a decryption) before every model call. That a
 * user has no key for a provider is kept too: it is the usual case.
 *
 * Invalidation: identity broadcasts PROVIDER_KEYS_CHANGED once a key was set, replaced or
 * deleted, before it answers the request that changed it; every replica forgets that user's keys,
 * so the next run uses the key as it is now. A replica that misses the broadcast keeps an entry
 * for at most EXECUTION_PROVIDER_KEY_CACHE_MS. A lookup that started before an invalidation does
 * not store its (older) answer.
 *
 * A key is never logged nor answered by this class to anything but the model client's factory.
 */
@Injectable()
export class ProviderKeysService implements OnModuleDestroy {
  private readonly keys: HintedCache<string | undefined>;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(BROADCAST) broadcast: Broadcast,
    @Inject(EXECUTION_CONFIG) config: ExecutionConfig,
  ) {
    this.keys = new HintedCache(config.providerKeyCacheMs);
    this.unsubscribe = this.keys.listen(broadcast, PROVIDER_KEYS_CHANGED, 'userId');
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The user's stored key for the provider, undefined when there is none; identity down is an error (never a fallback to the platform's key). */
  async lookup(userId: string, provider: ModelProvider, now = Date.now()): Promise<string | undefined> {
    const kept = this.keys.get(userId, provider, now);
    if (kept) return kept.value;
    const stamp = this.keys.stamp();
    const apiKey = await this.reveal(userId, provider);
    this.keys.set(userId, provider, apiKey, stamp, now);
    return apiKey;
  }

  /** Drops what this replica kept of the user's keys (the user's deletion). */
  forgetUser(userId: string): void {
    this.keys.drop(userId);
  }

  private async reveal(userId: string, provider: ModelProvider): Promise<string | undefined> {
    try {
      return (await this.bus.request(AccountContracts.revealProviderKey, { userId, provider }, { actor: EXECUTION })).apiKey;
    } catch (err) {
      // No stored key is the usual case; anything else (identity down) must not fall back to the platform's key.
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return undefined;
      throw err;
    }
  }
}
