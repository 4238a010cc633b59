import { Controller } from '@nestjs/common';
import { AccountContracts, type Actor, Empty, ListNotificationsRequest, type MarkedRead, NotificationIdRequest, type NotificationPage, type NotificationView } from '#contracts';
import { Rpc } from '#messaging';
import { NotificationsService } from './notifications.service.js';

@Controller()
export class NotificationsHandler {
  constructor(private readonly notifications: NotificationsService) {}

  @Rpc(AccountContracts.listNotifications)
  list(request: ListNotificationsRequest, actor: Actor): Promise<NotificationPage> {
    return this.notifications.list(actor, request);
  }

  @Rpc(AccountContracts.markNotificationRead)
  markRead(request: NotificationIdRequest, actor: Actor): Promise<NotificationView> {
    return this.notifications.markRead(actor, request.id);
  }

  @Rpc(AccountContracts.markAllNotificationsRead)
  markAllRead(_: Empty, actor: Actor): Promise<MarkedRead> {
    return this.notifications.markAllRead(actor);
  }
}
