import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'identity', name: 'api_keys' })
@Index('api_keys_key_hash_uq', ['keyHash'], { unique: true })
@Index('api_keys_user_id_idx', ['userId'])
@Check('api_keys_scopes_ck', `"scopes" <@ ARRAY['read', 'full']::text[] AND cardinality("scopes") > 0`)
@Check('api_keys_name_ck', 'char_length("name") BETWEEN 1 AND 100')
export class ApiKeyEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('users', { name: 'api_keys_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @Column('text')
  name: string;

  /** `ap_live_` and four characters: enough to recognise a key in a list, useless to an attacker. */
  @Column('text')
  prefix: string;

  /** sha256 of the whole key; the key itself is shown once and never stored. */
  @Column('bytea')
  keyHash: Buffer;

  @Column('text', { array: true })
  scopes: string[];

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
