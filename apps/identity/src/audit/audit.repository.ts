import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { And, LessThan, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
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

/** The conditions a filter sets; TypeORM refuses a where with undefined values, so unset ones are left out. */
function whereOf(filter: AuditFilter): FindOptionsWhere<AuditEntryEntity> {
  const { from, to } = filter;
  const createdAt = from && to ? And(MoreThanOrEqual(from), LessThan(to)) : from ? MoreThanOrEqual(from) : to ? LessThan(to) : undefined;
  return {
    ...(filter.action !== undefined && { action: filter.action }),
    ...(filter.actorId !== undefined && { actorId: filter.actorId }),
    ...(filter.targetType !== undefined && { targetType: filter.targetType }),
    ...(filter.targetId !== undefined && { targetId: filter.targetId }),
    ...(createdAt && { createdAt }),
    ...(filter.before !== undefined && { id: LessThan(filter.before) }),
  };
}

@Injectable()
export class AuditRepository {
  constructor(private readonly database: Database) {}

  /** The only write there is: no method of this class updates or deletes. */
  async append(entry: Omit<AuditEntryEntity, 'id' | 'createdAt' | 'updatedAt'>): Promise<void> {
    const log = this.database.repository(AuditEntryEntity);
    await log.save(log.create(entry));
  }

  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditEntryEntity[]> {
    return this.database.repository(AuditEntryEntity).find({ where: whereOf(filter), order: { id: 'DESC' }, take: filter.limit });
  }
}
