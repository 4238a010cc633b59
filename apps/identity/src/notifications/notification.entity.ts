import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

/** A message for one user, asked for by a service through `events.<service>.notification.requested`. */
@Entity({ schema: 'identity', name: 'notifications' })
// (user_id, id DESC) in the migration: a user's newest first.
@Index('notifications_user_id_id_idx', ['userId', 'id'])
export class NotificationEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('users', { name: 'notifications_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @Column('text')
  kind: string;

  @Column('text')
  title: string;

  @Column('text', { nullable: true })
  body: string | null;

  @Column('text', { nullable: true })
  link: string | null;

  /** The service that asked for it, taken from the event's subject (never from its payload). */
  @Column('text')
  source: string;

  @Column('timestamptz', { nullable: true })
  readAt: Date | null;
}
