import { Column, Entity, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';
import { PublicLinkEntity } from './public-link.entity.js';

/** A run a public link started: what lets its anonymous caller read that run, and no other. */
@Entity({ schema: 'workflow', name: 'public_link_runs' })
@Unique('public_link_runs_link_id_run_id_uq', ['linkId', 'runId'])
export class PublicLinkRunEntity extends BaseEntity {
  @Column('uuid')
  linkId: string;

  @ManyToOne(() => PublicLinkEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'link_id', foreignKeyConstraintName: 'public_link_runs_link_id_fkey' })
  link?: PublicLinkEntity;

  @Column('uuid')
  runId: string;
}
