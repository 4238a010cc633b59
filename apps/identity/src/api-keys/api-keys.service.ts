import { requireUserId } from '#contracts';
import { Injectable } from '@nestjs/common';
import type { Actor, ApiKeyList, CreateApiKeyRequest, CreatedApiKey } from '#contracts';
import { newId } from '#persistence';
import { AuditService } from '../audit/audit.service.js';
import { issueApiKey } from './api-key.codec.js';
import { toApiKeyView } from './api-key.mapper.js';
import { ApiKeysErrors } from './api-keys.errors.js';
import { ApiKeysRepository } from './api-keys.repository.js';

const MAX_LIVE_KEYS = 50;
const DAY_MS = 86_400_000;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
  ) {}

  async create(request: CreateApiKeyRequest, actor: Actor): Promise<CreatedApiKey> {
    const userId = requireUserId(actor);
    if ((await this.keys.listLive(userId)).length >= MAX_LIVE_KEYS) throw ApiKeysErrors.tooMany(MAX_LIVE_KEYS);
    const issued = issueApiKey();
    const entity = await this.keys.transaction(async (manager) => {
      const saved = await this.keys.insert(manager, {
        id: newId(),
        userId,
        name: request.name.trim() || request.name,
        prefix: issued.prefix,
        keyHash: issued.hash,
        scopes: request.scopes,
        expiresAt: request.expiresInDays ? new Date(Date.now() + request.expiresInDays * DAY_MS) : null,
      });
      await this.audit.record(actor, { action: 'api_key.created', targetType: 'api_key', targetId: saved.id, metadata: { name: saved.name, scopes: saved.scopes, prefix: saved.prefix } }, manager);
      return saved;
    });
    return { ...toApiKeyView(entity), key: issued.key };
  }

  async list(actor: Actor): Promise<ApiKeyList> {
    return { items: (await this.keys.listLive(requireUserId(actor))).map(toApiKeyView) };
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    await this.keys.transaction(async (manager) => {
      if (!(await this.keys.revoke(manager, userId, id))) throw ApiKeysErrors.notFound();
      await this.audit.record(actor, { action: 'api_key.revoked', targetType: 'api_key', targetId: id }, manager);
    });
  }
}
