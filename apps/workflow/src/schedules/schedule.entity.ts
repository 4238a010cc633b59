import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import type { ScheduleMissedPolicy } from '#contracts';
import { BaseEntity } from '#persistence';
import { WorkflowEntity } from '../workflows/workflows.service.js';

@Entity({ schema: 'workflow', name: 'schedules' })
@Check('schedules_target_ck', `("workflow_id" IS NULL) <> ("agent_id" IS NULL)`)
@Check('schedules_missed_policy_ck', `"missed_policy" IN ('skip', 'catch_up')`)
@Index('schedules_owner_id_id_idx', ['ownerId', 'id'])
@Index('schedules_next_fire_at_idx', ['nextFireAt'], { where: `"paused" = false AND "next_fire_at" IS NOT NULL` })
@Index('schedules_workflow_id_idx', ['workflowId'], { where: '"workflow_id" IS NOT NULL' })
export class ScheduleEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  workflowId: string | null;

  /** Declared for the foreign key (a workflow's schedules go with it); never loaded. */
  @ManyToOne(() => WorkflowEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id', foreignKeyConstraintName: 'schedules_workflow_id_fkey' })
  workflow?: WorkflowEntity;

  /** An automation agent of the agent service; no foreign key across schemas. */
  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('text')
  cron: string;

  @Column('text', { default: 'UTC' })
  timeZone: string;

  @Column('text', { default: 'skip' })
  missedPolicy: ScheduleMissedPolicy;

  @Column('jsonb', { nullable: true })
  inputs: object | null;

  @Column('text', { nullable: true })
  input: string | null;

  @Column('boolean', { default: false })
  paused: boolean;

  @Column('timestamptz', { nullable: true })
  startAt: Date | null;

  @Column('timestamptz', { nullable: true })
  endAt: Date | null;

  /** The next tick to fire; null once the schedule has ended. */
  @Column('timestamptz', { nullable: true })
  nextFireAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastFiredAt: Date | null;

  @Column('uuid', { nullable: true })
  lastRunId: string | null;

  @Column('text', { nullable: true })
  lastError: string | null;
}
