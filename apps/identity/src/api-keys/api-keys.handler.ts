import { Controller } from '@nestjs/common';
import { AccessContracts, type Actor, type ApiKeyList, CreateApiKeyRequest, type CreatedApiKey, Empty, IdRequest } from '#contracts';
import { Rpc } from '#messaging';
import { ApiKeysService } from './api-keys.service.js';

@Controller()
export class ApiKeysHandler {
  constructor(private readonly keys: ApiKeysService) {}

  @Rpc(AccessContracts.createApiKey)
  create(request: CreateApiKeyRequest, actor: Actor): Promise<CreatedApiKey> {
    return this.keys.create(request, actor);
  }

  @Rpc(AccessContracts.listApiKeys)
  list(_: Empty, actor: Actor): Promise<ApiKeyList> {
    return this.keys.list(actor);
  }

  @Rpc(AccessContracts.revokeApiKey)
  async revoke(request: IdRequest, actor: Actor): Promise<Empty> {
    await this.keys.revoke(request.id, actor);
    return {};
  }
}
