import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';
import { WorkflowEntity } from '../workflows/workflows.service.js';

/** A link that runs one published version with no account; the token itself is never stored, only its hash. */
@Entity({ schema: 'workflow', name: 'public_links' })
@Unique('public_links_token_hash_uq', ['tokenHash'])
@Check('public_links_runs_per_minute_ck', `"runs_per_minute" >= 1`)
@Index('public_links_workflow_id_idx', ['workflowId'])
export class PublicLinkEntity extends BaseEntity {
  @Column('uuid')
  workflowId: string;

  /** Declared for the foreign key (links go with their workflow); never loaded. */
  @ManyToOne(() => WorkflowEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id', foreignKeyConstraintName: 'public_links_workflow_id_fkey' })
  workflow?: WorkflowEntity;

  /** Who runs are billed to: the workflow's owner. */
  @Column('uuid')
  ownerId: string;

  @Column('integer')
  version: number;

  /** sha256 of the token, hex. */
  @Column('text')
  tokenHash: string;

  @Column('text')
  tokenPrefix: string;

  @Column('integer')
  runsPerMinute: number;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
