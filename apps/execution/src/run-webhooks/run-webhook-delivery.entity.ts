import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One run ending to announce at the run's webhook URL: pending until a 2xx, failed once the attempts run out. */
@Entity({ schema: 'execution', name: 'run_webhook_deliveries' })
@Check('run_webhook_deliveries_status_ck', `"status" IN ('pending', 'delivered', 'failed')`)
@Check('run_webhook_deliveries_attempts_ck', `"attempts" >= 0`)
@Index('run_webhook_deliveries_due_idx', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('run_webhook_deliveries_run_id_idx', ['runId'])
@Index('run_webhook_deliveries_owner_id_idx', ['ownerId'])
export class RunWebhookDeliveryEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('runs', { name: 'run_webhook_deliveries_run_id_fkey', onDelete: 'CASCADE' })
  runId: string;

  @Column('uuid')
  ownerId: string;

  @Column('text')
  url: string;

  @Column('jsonb')
  payload: unknown;

  @Column('text', { default: 'pending' })
  status: DeliveryStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('timestamptz', { default: () => 'now()' })
  nextAttemptAt: Date;

  @Column('integer', { nullable: true })
  lastStatus: number | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;
}
