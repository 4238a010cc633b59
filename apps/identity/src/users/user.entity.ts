import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'identity', name: 'users' })
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
}
