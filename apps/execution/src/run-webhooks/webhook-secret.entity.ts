import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

/** An owner's secret for signing their runs' webhook deliveries, sealed with the platform's keyring (`v1.<keyId>.<ciphertext>`). */
@Entity({ schema: 'execution', name: 'webhook_secrets' })
@Index('webhook_secrets_owner_id_uq', ['ownerId'], { unique: true })
export class WebhookSecretEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('text')
  sealedSecret: string;
}
