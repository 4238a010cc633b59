import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { AccountContracts, AppError, ErrorCode, type ModelProvider, PROVIDER_KEYS_CHANGED, type ProviderKeysHint, serviceActor } from '#contracts';
import { BROADCAST, BUS_CLIENT, type Broadcast, type BusClient } from '#messaging';
import { EXECUTION_CONFIG } from '../execution-config.module.js';

interface Entry {
  /** The revealed key; undefined when the user stored none for the provider. */
  apiKey: string | undefined;
  expiresAt: number;
}

/** Users whose keys one replica keeps; the least recently stored go first. */
const MAX_USERS = 10_000;

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
  private readonly users = new Map<string, Map<ModelProvider, Entry>>();
  private readonly invalidatedAt = new Map<string, number>();
  private sequence = 0;
  /** Lookups that started before this could not be checked against the marks (they were cleared): not stored. */
  private clearedAt = 0;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(BROADCAST) broadcast: Broadcast,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {
    this.unsubscribe = broadcast.subscribe<ProviderKeysHint>(PROVIDER_KEYS_CHANGED, (hint) => {
      if (typeof hint?.userId === 'string') this.forgetUser(hint.userId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The user's stored key for the provider, undefined when there is none; identity down is an error (never a fallback to the platform's key). */
  async lookup(userId: string, provider: ModelProvider, now = Date.now()): Promise<string | undefined> {
    const entry = this.users.get(userId)?.get(provider);
    if (entry && entry.expiresAt > now) return entry.apiKey;
    const stamp = this.sequence;
    const apiKey = await this.reveal(userId, provider);
    this.admit(userId, provider, apiKey, stamp, now);
    return apiKey;
  }

  /** Drops what this replica kept of the user's keys (identity's broadcast, the user's deletion). */
  forgetUser(userId: string): void {
    this.users.delete(userId);
    this.sequence += 1;
    this.invalidatedAt.set(userId, this.sequence);
    // Only lookups in flight need the marks; keep the map from growing with every user ever changed.
    if (this.invalidatedAt.size > MAX_USERS) {
      this.invalidatedAt.clear();
      this.clearedAt = this.sequence;
    }
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

  private admit(userId: string, provider: ModelProvider, apiKey: string | undefined, stamp: number, now: number): void {
    const ttlMs = this.config.providerKeyCacheMs;
    if (ttlMs === 0 || stamp < this.clearedAt || (this.invalidatedAt.get(userId) ?? 0) > stamp) return;
    const keys = this.users.get(userId) ?? new Map<ModelProvider, Entry>();
    keys.set(provider, { apiKey, expiresAt: now + ttlMs });
    // Map keeps insertion order: re-inserted, the user is the newest; the oldest go past the bound.
    this.users.delete(userId);
    this.users.set(userId, keys);
    while (this.users.size > MAX_USERS) {
      const oldest = this.users.keys().next().value;
      if (oldest === undefined) break;
      this.users.delete(oldest);
    }
  }
}
