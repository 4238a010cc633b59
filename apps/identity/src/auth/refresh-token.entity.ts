import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

/**
 * One issued refresh token. Tokens of one login share a family; using a token replaces it with
 * the next one, and presenting an already-replaced token revokes the whole family.
 */
@Entity({ schema: 'identity', name: 'refresh_tokens' })
@Index('refresh_tokens_user_id_idx', ['userId'])
@Index('refresh_tokens_family_id_idx', ['familyId'])
export class RefreshTokenEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('users', { name: 'refresh_tokens_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @Column('uuid')
  familyId: string;

  /** sha256 of the token's secret part; the token itself is never stored. */
  @Column('bytea')
  tokenHash: Buffer;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('uuid', { nullable: true })
  replacedById: string | null;

  @Column('text', { nullable: true })
  userAgent: string | null;

  @Column('text', { nullable: true })
  ip: string | null;
}
