import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';
import { ScheduleEntity } from './schedule.entity.js';

export type ScheduleFireStatus = 'pending' | 'started' | 'failed';

/**
 * One tick of a schedule. The unique (schedule, fire time) makes a tick fire once however many
 * replicas see it due; the run is then started with an idempotency key made of the same pair.
 */
@Entity({ schema: 'workflow', name: 'schedule_fires' })
@Unique('schedule_fires_schedule_id_fire_at_uq', ['scheduleId', 'fireAt'])
@Check('schedule_fires_status_ck', `"status" IN ('pending', 'started', 'failed')`)
@Index('schedule_fires_pending_idx', ['fireAt'], { where: `"status" = 'pending'` })
export class ScheduleFireEntity extends BaseEntity {
  @Column('uuid')
  scheduleId: string;

  @ManyToOne(() => ScheduleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'schedule_id', foreignKeyConstraintName: 'schedule_fires_schedule_id_fkey' })
  schedule?: ScheduleEntity;

  @Column('timestamptz')
  fireAt: Date;

  @Column('text', { default: 'pending' })
  status: ScheduleFireStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('uuid', { nullable: true })
  runId: string | null;

  @Column('text', { nullable: true })
  error: string | null;
}
