import type { NotificationView } from '#contracts';
import type { NotificationEntity } from './notification.entity.js';

export function toNotificationView(notification: NotificationEntity): NotificationView {
  return {
    id: notification.id,
    kind: notification.kind,
    title: notification.title,
    body: notification.body,
    link: notification.link,
    source: notification.source,
    readAt: notification.readAt?.toISOString() ?? null,
    createdAt: notification.createdAt.toISOString(),
  };
}
