import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'identity', name: 'api_keys' })
export class ApiKeyEntity extends BaseEntity {
  @Column('uuid')
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
