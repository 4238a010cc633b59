import { Controller } from '@nestjs/common';
import {
  type Actor,
  CreateWebhookTriggerRequest,
  DeliverWebhookRequest,
  type Empty,
  type WebhookDeliveryReply,
  WebhookContracts,
  type WebhookTriggerCreated,
  WebhookTriggerIdRequest,
  type WebhookTriggerList,
  WorkflowIdRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { WebhooksService } from './webhooks.service.js';

@Controller()
export class WebhooksHandler {
  constructor(private readonly webhooks: WebhooksService) {}

  @Rpc(WebhookContracts.create)
  create(request: CreateWebhookTriggerRequest, actor: Actor): Promise<WebhookTriggerCreated> {
    return this.webhooks.create(actor, request);
  }

  @Rpc(WebhookContracts.list)
  list(request: WorkflowIdRequest, actor: Actor): Promise<WebhookTriggerList> {
    return this.webhooks.list(actor, request.id);
  }

  @Rpc(WebhookContracts.delete)
  async delete(request: WebhookTriggerIdRequest, actor: Actor): Promise<Empty> {
    await this.webhooks.delete(actor, request);
    return {};
  }

  @Rpc(WebhookContracts.deliver)
  deliver(request: DeliverWebhookRequest): Promise<WebhookDeliveryReply> {
    return this.webhooks.deliver(request);
  }
}
