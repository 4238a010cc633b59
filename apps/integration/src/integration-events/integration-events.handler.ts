import { Controller } from '@nestjs/common';
import { type Actor, IntegrationEventContracts, type IntegrationEventList, ListIntegrationEventsQuery } from '#contracts';
import { Rpc } from '#messaging';
import { IntegrationEventsService } from './integration-events.service.js';

@Controller()
export class IntegrationEventsHandler {
  constructor(private readonly events: IntegrationEventsService) {}

  @Rpc(IntegrationEventContracts.list)
  list(request: ListIntegrationEventsQuery, actor: Actor): Promise<IntegrationEventList> {
    return this.events.list(actor, request);
  }
}
