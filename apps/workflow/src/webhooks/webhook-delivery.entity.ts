import { Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';
import { WebhookTriggerEntity } from './webhook-trigger.entity.js';

/** A delivery id a trigger accepted: a second delivery with the same id is a replay (409). Kept past the signature tolerance, then pruned. */
@Entity({ schema: 'workflow', name: 'webhook_deliveries' })
@Unique('webhook_deliveries_trigger_id_delivery_id_uq', ['triggerId', 'deliveryId'])
@Index('webhook_deliveries_created_at_idx', ['createdAt'])
export class WebhookDeliveryEntity extends BaseEntity {
  @Column('uuid')
  triggerId: string;

  @ManyToOne(() => WebhookTriggerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'trigger_id', foreignKeyConstraintName: 'webhook_deliveries_trigger_id_fkey' })
  trigger?: WebhookTriggerEntity;

  @Column('text')
  deliveryId: string;

  @Column('uuid', { nullable: true })
  runId: string | null;
}
