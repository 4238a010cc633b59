import { Controller } from '@nestjs/common';
import { type Actor, IntegrationEventContracts, type IntegrationEventList, ListIntegrationEventsQuery, WebhookReceived, type WebhookReceivedEvent } from '#contracts';
import { OnEvent, Rpc } from '#messaging';
import { IntegrationEventsService } from './integration-events.service.js';

@Controller()
export class IntegrationEventsHandler {
  constructor(private readonly events: IntegrationEventsService) {}

  @Rpc(IntegrationEventContracts.list)
  list(request: ListIntegrationEventsQuery, actor: Actor): Promise<IntegrationEventList> {
    return this.events.list(actor, request);
  }

  /** A workflow's webhook trigger accepted a delivery: one webhook_received row in the owner's log. */
  @OnEvent(WebhookReceived)
  onWebhookReceived(event: WebhookReceivedEvent): Promise<void> {
    return this.events.webhookReceived(event);
  }
}
