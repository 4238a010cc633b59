import { Injectable } from '@nestjs/common';
import { type Actor, type ApiKeyList, type CreateApiKeyRequest, type CreatedApiKey, type VerifiedCredential, requireUserId } from '#contracts';
import { ActingUser, Database } from '#persistence';
import { AuditService } from '../audit/audit.service.js';
import { CredentialNoticesService } from '../credential-notices/credential-notices.service.js';
import { hashApiKey, isWellFormedApiKey, issueApiKey } from './api-key.codec.js';
import { toApiKeyView } from './api-key.mapper.js';
import { ApiKeysErrors } from './api-keys.errors.js';
import { ApiKeysRepository } from './api-keys.repository.js';

const MAX_LIVE_KEYS = 50;
const DAY_MS = 86_400_000;
/** last_used_at is kept to the minute: a busy key costs one write a minute, not one per request. */
const LAST_USED_GRANULARITY_MS = 60_000;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
    private readonly database: Database,
    private readonly notices: CredentialNoticesService,
  ) {}

  async create(request: CreateApiKeyRequest, actor: Actor): Promise<CreatedApiKey> {
    const userId = requireUserId(actor);
    if ((await this.keys.countLive(userId)) >= MAX_LIVE_KEYS) throw ApiKeysErrors.tooMany(MAX_LIVE_KEYS);
    const issued = issueApiKey();
    const entity = await this.database.transaction(async () => {
      const saved = await this.keys.insert({
        userId,
        name: request.name.trim() || request.name,
        prefix: issued.prefix,
        keyHash: issued.hash,
        scopes: request.scopes,
        expiresAt: request.expiresInDays ? new Date(Date.now() + request.expiresInDays * DAY_MS) : null,
      });
      await this.audit.record(actor, { action: 'api_key.created', targetType: 'api_key', targetId: saved.id, metadata: { name: saved.name, scopes: saved.scopes, prefix: saved.prefix } });
      return saved;
    });
    return { ...toApiKeyView(entity), key: issued.key };
  }

  async list(actor: Actor): Promise<ApiKeyList> {
    return { items: (await this.keys.listLive(requireUserId(actor))).map(toApiKeyView) };
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    await this.database.transaction(async () => {
      if (!(await this.keys.revoke(userId, id))) throw ApiKeysErrors.notFound();
      this.notices.changed(userId);
      await this.audit.record(actor, { action: 'api_key.revoked', targetType: 'api_key', targetId: id });
    });
  }

  /** Every live key of the user stops working; in the caller's transaction when there is one. */
  async revokeAllOf(userId: string): Promise<void> {
    await this.keys.revokeAllOf(userId);
    this.notices.changed(userId);
  }

  /**
   * The credential check of a request made with an API key: well formed, known, not revoked, not
   * expired, its owner active. Records the key's use at most once a minute.
   */
  async verify(key: string): Promise<VerifiedCredential> {
    // The checksum turns away typos and random strings without a lookup.
    if (!isWellFormedApiKey(key)) throw ApiKeysErrors.malformed();
    // Whose key it is, the key itself says: found before anyone acts.
    const state = await ActingUser.system('credential check: find the presented API key by its hash', () => this.keys.findByHash(hashApiKey(key)));
    if (!state || state.revokedAt !== null) throw ApiKeysErrors.unknownOrRevoked();
    if (state.expiresAt !== null && state.expiresAt.getTime() <= Date.now()) throw ApiKeysErrors.expired();
    if (!state.isActive) throw ApiKeysErrors.ownerInactive();
    const staleBefore = new Date(Date.now() - LAST_USED_GRANULARITY_MS);
    if (state.lastUsedAt === null || state.lastUsedAt < staleBefore) await ActingUser.run(state.userId, () => this.keys.touch(state.id, staleBefore));
    return { userId: state.userId, isSuperuser: state.isSuperuser, scopes: state.scopes, apiKeyId: state.id, ...(state.expiresAt ? { expiresAt: state.expiresAt.toISOString() } : {}) };
  }
}
