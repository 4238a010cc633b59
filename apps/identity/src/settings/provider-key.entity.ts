import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';
import type { LlmProvider } from '#contracts';

/**
 * A user's API key for a model provider, AES-256-GCM encrypted under the master key `keyId`
 * with (user id, provider) as associated data. Never leaves the service in clear except to the
 * execution service.
 */
@Entity({ schema: 'identity', name: 'provider_keys' })
@Unique('provider_keys_user_id_provider_uq', ['userId', 'provider'])
@Index('provider_keys_key_id_idx', ['keyId'])
@Check('provider_keys_last4_check', 'char_length("last4") <= 4')
export class ProviderKeyEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('users', { name: 'provider_keys_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @Column('text')
  provider: LlmProvider;

  @Column('text')
  keyId: string;

  @Column('bytea')
  ciphertext: Buffer;

  /** Shown to the user so they can tell keys apart. */
  @Column('text')
  last4: string;
}
