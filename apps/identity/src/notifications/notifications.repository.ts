import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { NotificationEntity } from './notification.entity.js';

@Injectable()
export class NotificationsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Newest first (ids are time-ordered); `beforeId` is the last row of the previous page. */
  list(userId: string, unreadOnly: boolean, limit: number, beforeId?: string): Promise<NotificationEntity[]> {
    const query = this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      .orderBy('n.id', 'DESC')
      .limit(limit);
    if (unreadOnly) query.andWhere('n.read_at IS NULL');
    if (beforeId) query.andWhere('n.id < :beforeId', { beforeId });
    return query.getMany();
  }

  countUnread(userId: string): Promise<number> {
    return this.dataSource.getRepository(NotificationEntity).countBy({ userId, readAt: IsNull() });
  }

  /** Sets read_at once (a second call keeps the first time); scoped by user, so others' ids find nothing. */
  async markRead(userId: string, id: string): Promise<NotificationEntity | null> {
    await this.dataSource.getRepository(NotificationEntity).update({ id, userId, readAt: IsNull() }, { readAt: new Date() });
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ id, userId });
  }

  async markAllRead(userId: string): Promise<number> {
    const result = await this.dataSource.getRepository(NotificationEntity).update({ userId, readAt: IsNull() }, { readAt: new Date() });
    return result.affected ?? 0;
  }

  async userExists(manager: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM "identity"."users" WHERE "id" = $1 FOR KEY SHARE`, [userId]);
    return rows.length > 0;
  }

  async insert(manager: EntityManager, notification: Pick<NotificationEntity, 'userId' | 'kind' | 'title' | 'body' | 'link' | 'source'>): Promise<void> {
    const repo = manager.getRepository(NotificationEntity);
    await repo.save(repo.create({ ...notification, readAt: null }));
  }
}
