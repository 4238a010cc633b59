import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'identity', name: 'users' })
// Expression indexes on lower(...): TypeORM cannot state an expression, so they are named here and built by the migrations.
@Index('users_email_uq', { synchronize: false })
@Index('users_username_uq', { synchronize: false })
@Index('users_external_uq', ['externalProvider', 'externalId'], { unique: true, where: '"external_provider" IS NOT NULL' })
@Index('users_superuser_idx', ['id'], { where: '"is_superuser"' })
@Check('users_external_pair_ck', '("external_provider" IS NULL) = ("external_id" IS NULL)')
export class UserEntity extends BaseEntity {
  /** Stored lower-cased; unique case-insensitively (users_email_uq on lower(email)). */
  @Column('text')
  email: string;

  /** argon2id PHC string; null for users who sign in through an external identity provider. */
  @Column('text', { nullable: true })
  passwordHash: string | null;

  @Column('text', { nullable: true })
  name: string | null;

  /** Optional handle; stored lower-cased, unique (users_username_uq on lower(username)). */
  @Column('text', { nullable: true })
  username: string | null;

  @Column('boolean', { default: true })
  isActive: boolean;

  @Column('boolean', { default: false })
  isSuperuser: boolean;

  /** The external identity provider this account is linked to (OpenID Connect), with its subject; both or neither. */
  @Column('text', { nullable: true })
  externalProvider: string | null;

  @Column('text', { nullable: true })
  externalId: string | null;
}
