import { Controller } from '@nestjs/common';
import {
  AccountContracts,
  type Actor,
  Empty,
  type ProviderKeyView,
  ProviderRequest,
  PutProviderKeyRequest,
  type RevealedProviderKey,
  RevealProviderKeyRequest,
  type SettingsView,
  UpdateSettingsRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { SettingsService } from './settings.service.js';

@Controller()
export class SettingsHandler {
  constructor(private readonly settings: SettingsService) {}

  @Rpc(AccountContracts.getSettings)
  get(_: Empty, actor: Actor): Promise<SettingsView> {
    return this.settings.get(actor);
  }

  @Rpc(AccountContracts.updateSettings)
  update(request: UpdateSettingsRequest, actor: Actor): Promise<SettingsView> {
    return this.settings.update(actor, request);
  }

  @Rpc(AccountContracts.putProviderKey)
  putProviderKey(request: PutProviderKeyRequest, actor: Actor): Promise<ProviderKeyView> {
    return this.settings.putProviderKey(actor, request.provider, request.apiKey);
  }

  @Rpc(AccountContracts.deleteProviderKey)
  async deleteProviderKey(request: ProviderRequest, actor: Actor): Promise<Empty> {
    await this.settings.deleteProviderKey(actor, request.provider);
    return {};
  }

  @Rpc(AccountContracts.revealProviderKey)
  revealProviderKey(request: RevealProviderKeyRequest, actor: Actor): Promise<RevealedProviderKey> {
    return this.settings.revealProviderKey(actor, request.userId, request.provider);
  }
}
