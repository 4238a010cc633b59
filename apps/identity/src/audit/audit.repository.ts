import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntryEntity } from './audit-entry.entity.js';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (ids are time-ordered). */
  before?: string;
  limit: number;
}

@Injectable()
export class AuditLogRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The only write there is: no method of this class updates or deletes. */
  async append(manager: EntityManager | undefined, entry: Omit<AuditEntryEntity, 'id' | 'createdAt' | 'updatedAt'>): Promise<void> {
    const repo = (manager ?? this.dataSource.manager).getRepository(AuditEntryEntity);
    await repo.save(repo.create(entry));
  }

  list(filter: AuditFilter): Promise<AuditEntryEntity[]> {
    const q = this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (filter.action) q.andWhere('a.action = :action', { action: filter.action });
    if (filter.actorId) q.andWhere('a.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.targetType) q.andWhere('a.target_type = :targetType', { targetType: filter.targetType });
    if (filter.targetId) q.andWhere('a.target_id = :targetId', { targetId: filter.targetId });
    if (filter.from) q.andWhere('a.created_at >= :from', { from: filter.from });
    if (filter.to) q.andWhere('a.created_at < :to', { to: filter.to });
    if (filter.before) q.andWhere('a.id < :before', { before: filter.before });
    return q.orderBy('a.id', 'DESC').limit(filter.limit).getMany();
  }
}
