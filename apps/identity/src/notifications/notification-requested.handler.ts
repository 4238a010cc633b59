import { Controller } from '@nestjs/common';
import { NotificationRequested, type NotificationRequestedEvent } from '#contracts';
import { type EventContext, OnEvent } from '#messaging';
import { NotificationsService } from './notifications.service.js';

/**
 * One method per emitting service: the subject (`events.<service>.notification.requested`) names
 * the source, which NATS permissions can pin to that service, so a payload cannot claim to come
 * from someone else.
 */
@Controller()
export class NotificationRequestedHandler {
  constructor(private readonly notifications: NotificationsService) {}

  @OnEvent(NotificationRequested.agent)
  fromAgent(event: NotificationRequestedEvent, context: EventContext): Promise<void> {
    return this.notifications.deliver(context.manager, 'agent', event);
  }

  @OnEvent(NotificationRequested.workflow)
  fromWorkflow(event: NotificationRequestedEvent, context: EventContext): Promise<void> {
    return this.notifications.deliver(context.manager, 'workflow', event);
  }

  @OnEvent(NotificationRequested.conversation)
  fromConversation(event: NotificationRequestedEvent, context: EventContext): Promise<void> {
    return this.notifications.deliver(context.manager, 'conversation', event);
  }

  @OnEvent(NotificationRequested.integration)
  fromIntegration(event: NotificationRequestedEvent, context: EventContext): Promise<void> {
    return this.notifications.deliver(context.manager, 'integration', event);
  }

  @OnEvent(NotificationRequested.execution)
  fromExecution(event: NotificationRequestedEvent, context: EventContext): Promise<void> {
    return this.notifications.deliver(context.manager, 'execution', event);
  }
}
