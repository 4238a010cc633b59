import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { IsNull, LessThan, type FindOptionsWhere } from 'typeorm';
import { NotificationEntity } from './notification.entity.js';

@Injectable()
export class NotificationsRepository {
  constructor(private readonly database: Database) {}

  private get notifications() {
    return this.database.repository(NotificationEntity);
  }

  /** Newest first (ids are time-ordered); `beforeId` is the last row of the previous page. */
  list(userId: string, unreadOnly: boolean, limit: number, beforeId?: string): Promise<NotificationEntity[]> {
    const where: FindOptionsWhere<NotificationEntity> = { userId, ...(unreadOnly && { readAt: IsNull() }), ...(beforeId && { id: LessThan(beforeId) }) };
    return this.notifications.find({ where, order: { id: 'DESC' }, take: limit });
  }

  countUnread(userId: string): Promise<number> {
    return this.notifications.countBy({ userId, readAt: IsNull() });
  }

  /** Sets read_at once (a second call keeps the first time); scoped by user, so others' ids find nothing. */
  async markRead(userId: string, id: string): Promise<NotificationEntity | null> {
    await this.notifications.update({ id, userId, readAt: IsNull() }, { readAt: new Date() });
    return this.notifications.findOneBy({ id, userId });
  }

  async markAllRead(userId: string): Promise<number> {
    const result = await this.notifications.update({ userId, readAt: IsNull() }, { readAt: new Date() });
    return result.affected ?? 0;
  }

  async insert(notification: Pick<NotificationEntity, 'userId' | 'kind' | 'title' | 'body' | 'link' | 'source'>): Promise<void> {
    await this.notifications.save(this.notifications.create({ ...notification, readAt: null }));
  }
}
