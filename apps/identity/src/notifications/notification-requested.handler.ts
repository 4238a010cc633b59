import { Controller } from '@nestjs/common';
import { NotificationRequested, type NotificationRequestedEvent } from '#contracts';
import { OnEvent } from '#messaging';
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
  fromAgent(event: NotificationRequestedEvent): Promise<void> {
    return this.notifications.deliver('agent', event);
  }

  @OnEvent(NotificationRequested.workflow)
  fromWorkflow(event: NotificationRequestedEvent): Promise<void> {
    return this.notifications.deliver('workflow', event);
  }

  @OnEvent(NotificationRequested.conversation)
  fromConversation(event: NotificationRequestedEvent): Promise<void> {
    return this.notifications.deliver('conversation', event);
  }

  @OnEvent(NotificationRequested.integration)
  fromIntegration(event: NotificationRequestedEvent): Promise<void> {
    return this.notifications.deliver('integration', event);
  }

  @OnEvent(NotificationRequested.execution)
  fromExecution(event: NotificationRequestedEvent): Promise<void> {
    return this.notifications.deliver('execution', event);
  }
}
