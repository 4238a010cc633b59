import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

/** A message for one user, asked for by a service through `events.<service>.notification.requested`. */
@Entity({ schema: 'identity', name: 'notifications' })
export class NotificationEntity extends BaseEntity {
  @Column('uuid')
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
