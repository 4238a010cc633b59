import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type LlmProvider, type ProviderKeyView, type RevealedProviderKey, type SettingsView, SETTINGS_MAX_JSON_BYTES, type UpdateSettingsRequest, requireUserId } from '#contracts';
import { DecryptionError } from '#crypto';
import { rootLogger } from '#observability';
import { ActingUser, Database, isForeignKeyViolation } from '#persistence';
import { KEYRING, type MaybeKeyring } from '#service-kit';
import { CredentialNoticesService } from '../credential-notices/credential-notices.service.js';
import { providerKeyAad } from './provider-key.crypto.js';
import { SettingsErrors } from './settings.errors.js';
import { toProviderKeyView, toSettingsView } from './settings.mapper.js';
import { SettingsRepository } from './settings.repository.js';
import type { UserSettingsEntity } from './user-settings.entity.js';

/** Shallow JSON merge patch: a null value removes the key. */
function merge<T>(stored: Record<string, T>, patch: Record<string, T | null>): Record<string, T> {
  // A Map, so a key such as "__proto__" is kept as data instead of touching a prototype.
  const result = new Map(Object.entries(stored));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result.delete(key);
    else result.set(key, value);
  }
  return Object.fromEntries(result);
}

/** A write for an account deleted after its access token was issued fails on the foreign key: the account is gone (401). */
function rethrowUserGone(err: unknown): never {
  if (isForeignKeyViolation(err, 'user_settings_user_id_fkey') || isForeignKeyViolation(err, 'provider_keys_user_id_fkey')) throw SettingsErrors.accountGone();
  throw err;
}

@Injectable()
export class SettingsService {
  private readonly log = rootLogger().child({ component: 'settings' });

  constructor(
    private readonly settings: SettingsRepository,
    private readonly database: Database,
    private readonly notices: CredentialNoticesService,
    @Inject(KEYRING) private readonly keyring: MaybeKeyring,
  ) {}

  async get(actor: Actor): Promise<SettingsView> {
    const userId = requireUserId(actor);
    const [settings, keys] = await Promise.all([this.settings.find(userId), this.settings.listKeys(userId)]);
    return toSettingsView(settings, keys, this.keyring !== null);
  }

  async update(actor: Actor, request: UpdateSettingsRequest): Promise<SettingsView> {
    const userId = requireUserId(actor);
    const saved = await this.database.transaction(() => this.apply(userId, request)).catch(rethrowUserGone);
    return toSettingsView(saved, await this.settings.listKeys(userId), this.keyring !== null);
  }

  async putProviderKey(actor: Actor, provider: LlmProvider, apiKey: string): Promise<ProviderKeyView> {
    const userId = requireUserId(actor);
    if (!this.keyring) throw SettingsErrors.encryptionNotConfigured();
    const sealed = this.keyring.seal(apiKey, providerKeyAad(userId, provider));
    const saved = await this.settings.upsertKey({ userId, provider, keyId: sealed.keyId, ciphertext: sealed.ciphertext, last4: apiKey.slice(-4) }).catch(rethrowUserGone);
    // Before the reply: the next run (on any execution replica) asks for the new key.
    this.notices.providerKeysChanged(userId);
    return toProviderKeyView(saved);
  }

  async deleteProviderKey(actor: Actor, provider: LlmProvider): Promise<void> {
    const userId = requireUserId(actor);
    if (!(await this.settings.deleteKey(userId, provider))) throw SettingsErrors.providerKeyNotSet();
    this.notices.providerKeysChanged(userId);
  }

  /**
   * The one way a key leaves this service in clear. The subject is also closed to every other
   * publisher by NATS permissions in deployments; this check holds even where it is not.
   */
  async revealProviderKey(actor: Actor, userId: string, provider: LlmProvider): Promise<RevealedProviderKey> {
    if (actor.kind !== 'service' || actor.service !== 'execution') {
      this.log.warn({ actorKind: actor.kind, actorService: actor.service, actorUserId: actor.userId }, 'refused a provider key request from a caller other than execution');
      throw SettingsErrors.onlyExecution();
    }
    // As the run's owner the execution service names: only that user's key can be found.
    const key = await ActingUser.run(userId, () => this.settings.findKey(userId, provider));
    if (!key) throw SettingsErrors.providerKeyNotSet();
    if (!this.keyring) throw SettingsErrors.encryptionNotConfigured();
    try {
      return { provider, apiKey: this.keyring.open({ keyId: key.keyId, ciphertext: key.ciphertext }, providerKeyAad(userId, provider)) };
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      this.log.error({ providerKeyId: key.id, keyId: key.keyId, reason: err.reason }, 'a stored provider key does not decrypt');
      throw SettingsErrors.providerKeyUnreadable();
    }
  }

  private async apply(userId: string, request: UpdateSettingsRequest): Promise<UserSettingsEntity> {
    const settings = await this.settings.findOrCreateForUpdate(userId);
    if (request.theme !== undefined) settings.theme = request.theme;
    if (request.defaultLlmProvider !== undefined) settings.defaultLlmProvider = request.defaultLlmProvider;
    if (request.sidebarCollapsed !== undefined) settings.sidebarCollapsed = request.sidebarCollapsed;
    if (request.onboardingCompleted !== undefined) settings.onboardingCompleted = request.onboardingCompleted;
    if (request.toursCompleted !== undefined) settings.toursCompleted = merge(settings.toursCompleted, request.toursCompleted);
    if (request.settings !== undefined) {
      settings.settings = merge(settings.settings, request.settings);
      if (Buffer.byteLength(JSON.stringify(settings.settings), 'utf8') > SETTINGS_MAX_JSON_BYTES) throw SettingsErrors.settingsTooLarge(SETTINGS_MAX_JSON_BYTES);
    }
    return this.settings.save(settings);
  }
}
