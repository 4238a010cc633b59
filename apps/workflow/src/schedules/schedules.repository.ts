import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { In, LessThan, type FindOptionsWhere } from 'typeorm';
import { ScheduleFireEntity } from './schedule-fire.entity.js';
import { ScheduleEntity } from './schedule.entity.js';

export interface ScheduleListFilter {
  ownerId: string;
  workflowId?: string;
  agentId?: string;
  beforeId?: string;
  limit: number;
}

@Injectable()
export class SchedulesRepository {
  constructor(private readonly database: Database) {}

  private get schedules() {
    return this.database.repository(ScheduleEntity);
  }

  private get fires() {
    return this.database.repository(ScheduleFireEntity);
  }

  async insert(schedule: ScheduleEntity): Promise<void> {
    await this.schedules.insert(schedule);
  }

  findOwned(ownerId: string, id: string): Promise<ScheduleEntity | null> {
    return this.schedules.findOneBy({ id, ownerId });
  }

  lockOwned(ownerId: string, id: string): Promise<ScheduleEntity | null> {
    return this.schedules.findOne({ where: { id, ownerId }, lock: { mode: 'pessimistic_write' } });
  }

  async save(schedule: ScheduleEntity): Promise<void> {
    schedule.updatedAt = new Date();
    const { id, createdAt: _createdAt, ...columns } = schedule;
    await this.schedules.update({ id }, columns);
  }

  async delete(id: string): Promise<void> {
    await this.schedules.delete({ id });
  }

  list(filter: ScheduleListFilter): Promise<ScheduleEntity[]> {
    const where: FindOptionsWhere<ScheduleEntity> = { ownerId: filter.ownerId };
    if (filter.workflowId) where.workflowId = filter.workflowId;
    if (filter.agentId) where.agentId = filter.agentId;
    if (filter.beforeId) where.id = LessThan(filter.beforeId);
    return this.schedules.find({ where, order: { id: 'DESC' }, take: filter.limit });
  }

  /**
   * Due, unpaused schedules, locked for the rest of the transaction; rows another replica holds
   * are skipped, so each due schedule is handled by exactly one replica at a time.
   */
  claimDue(now: Date, limit: number): Promise<ScheduleEntity[]> {
    return this.database.rows(
      ScheduleEntity,
      `SELECT * FROM "workflow"."schedules" WHERE "paused" = false AND "next_fire_at" IS NOT NULL AND "next_fire_at" <= $1
       ORDER BY "next_fire_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
  }

  /** Records a tick; a tick already recorded (another replica, a retry) is left as it is. */
  async recordFire(fire: ScheduleFireEntity): Promise<void> {
    await this.fires.createQueryBuilder().insert().values(fire).orIgnore().execute();
  }

  /** Ticks whose run is not started yet, locked (skipping those another replica holds). */
  claimPending(limit: number): Promise<ScheduleFireEntity[]> {
    return this.database.rows(
      ScheduleFireEntity,
      `SELECT * FROM "workflow"."schedule_fires" WHERE "status" = 'pending' ORDER BY "fire_at" LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  findByIds(ids: string[]): Promise<ScheduleEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.schedules.findBy({ id: In(ids) });
  }

  async saveFire(fire: ScheduleFireEntity): Promise<void> {
    fire.updatedAt = new Date();
    await this.fires.update({ id: fire.id }, { status: fire.status, attempts: fire.attempts, runId: fire.runId, error: fire.error, updatedAt: fire.updatedAt });
  }

  /** Account deletion: the owner's schedules go (their ticks cascade). */
  async deleteByOwner(ownerId: string): Promise<void> {
    await this.schedules.delete({ ownerId });
  }
}
