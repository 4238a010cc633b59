import { Controller } from '@nestjs/common';
import { type Actor, RunWebhookContracts, type WebhookSecretView } from '#contracts';
import { Rpc } from '#messaging';
import { RunWebhooksService } from './run-webhooks.service.js';

@Controller()
export class RunWebhooksHandler {
  constructor(private readonly webhooks: RunWebhooksService) {}

  @Rpc(RunWebhookContracts.secret)
  secret(_: unknown, actor: Actor): Promise<WebhookSecretView> {
    return this.webhooks.secret(actor);
  }

  @Rpc(RunWebhookContracts.rotateSecret)
  rotateSecret(_: unknown, actor: Actor): Promise<WebhookSecretView> {
    return this.webhooks.rotateSecret(actor);
  }
}
