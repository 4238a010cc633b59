import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '#persistence';
import { WorkflowEntity } from '../workflows/workflows.service.js';

/** An inbound webhook that runs a workflow; its signing secret is kept sealed (libs/crypto Keyring), never in clear. */
@Entity({ schema: 'workflow', name: 'webhook_triggers' })
@Index('webhook_triggers_workflow_id_idx', ['workflowId'])
export class WebhookTriggerEntity extends BaseEntity {
  @Column('uuid')
  workflowId: string;

  @ManyToOne(() => WorkflowEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id', foreignKeyConstraintName: 'webhook_triggers_workflow_id_fkey' })
  workflow?: WorkflowEntity;

  @Column('uuid')
  ownerId: string;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('text')
  secretKeyId: string;

  @Column('bytea')
  secretCiphertext: Buffer;

  @Column('timestamptz', { nullable: true })
  lastDeliveryAt: Date | null;
}
