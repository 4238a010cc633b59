import { Injectable } from '@nestjs/common';
import { type Actor, type ListNotificationsRequest, type MarkedRead, type NotificationPage, type NotificationRequestedEvent, type NotificationView, requireUserId } from '#contracts';
import { rootLogger } from '#observability';
import { ActingUser, Database, decodeCursor, encodeCursor, pageOf } from '#persistence';
import { UsersService } from '../users/users.service.js';
import { toNotificationView } from './notification.mapper.js';
import { NotificationsErrors } from './notifications.errors.js';
import { NotificationsRepository } from './notifications.repository.js';

const DEFAULT_PAGE_SIZE = 20;

@Injectable()
export class NotificationsService {
  private readonly log = rootLogger().child({ component: 'notifications' });

  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly users: UsersService,
    private readonly database: Database,
  ) {}

  async list(actor: Actor, request: ListNotificationsRequest): Promise<NotificationPage> {
    const userId = requireUserId(actor);
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const before = request.cursor ? decodeCursor(request.cursor, { id: 'uuid' }).id : undefined;
    const [rows, unreadCount] = await Promise.all([this.notifications.list(userId, request.unread === 'true', limit + 1, before), this.notifications.countUnread(userId)]);
    return { ...pageOf(rows, limit, toNotificationView, (n) => encodeCursor({ id: n.id })), unreadCount };
  }

  async markRead(actor: Actor, id: string): Promise<NotificationView> {
    const notification = await this.notifications.markRead(requireUserId(actor), id);
    if (!notification) throw NotificationsErrors.notFound();
    return toNotificationView(notification);
  }

  async markAllRead(actor: Actor): Promise<MarkedRead> {
    return { updated: await this.notifications.markAllRead(requireUserId(actor)) };
  }

  /**
   * Joins the inbox transaction of the event. A user deleted before the event arrived is not an
   * error: the notification has no one to go to, and the event is recorded as handled. Acts as
   * the user the event names.
   */
  async deliver(source: string, event: NotificationRequestedEvent): Promise<void> {
    await ActingUser.run(event.userId, () => this.database.transaction(async () => {
      if (!(await this.users.holdIfExists(event.userId))) {
        this.log.info({ source, kind: event.kind }, 'notification for a user that no longer exists dropped');
        return;
      }
      await this.notifications.insert({ userId: event.userId, kind: event.kind, title: event.title, body: event.body ?? null, link: event.link ?? null, source });
    }));
  }
}
