import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

/** One security or admin event. Append-only: a trigger refuses UPDATE and DELETE. */
@Entity({ schema: 'identity', name: 'audit_log' })
// Ids are time-ordered, so (filter, id) serves each filter newest first.
@Index('audit_log_action_id_idx', ['action', 'id'])
@Index('audit_log_actor_id_id_idx', ['actorId', 'id'])
@Index('audit_log_target_id_id_idx', ['targetId', 'id'])
export class AuditEntryEntity extends BaseEntity {
  /** No foreign key: the record outlives the account that acted. */
  @Column('uuid', { nullable: true })
  actorId: string | null;

  @Column('text')
  action: string;

  @Column('text', { nullable: true })
  targetType: string | null;

  @Column('text', { nullable: true })
  targetId: string | null;

  @Column('text', { nullable: true })
  ip: string | null;

  @Column('text', { nullable: true })
  userAgent: string | null;

  @Column('jsonb', { default: {} })
  metadata: Record<string, unknown>;
}
