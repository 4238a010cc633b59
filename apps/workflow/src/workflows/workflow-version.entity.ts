import { Column, Entity, JoinColumn, ManyToOne, Unique } from 'typeorm';
import type { WorkflowDefinition } from '#contracts';
import { BaseEntity } from '#persistence';
import { WorkflowEntity } from './workflow.entity.js';

/** One immutable definition of a workflow (a trigger refuses updates); runs pin it. */
@Entity({ schema: 'workflow', name: 'workflow_versions' })
@Unique('workflow_versions_workflow_id_version_uq', ['workflowId', 'version'])
export class WorkflowVersionEntity extends BaseEntity {
  @Column('uuid')
  workflowId: string;

  /** Declared for the foreign key (versions go with their workflow); never loaded. */
  @ManyToOne(() => WorkflowEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id', foreignKeyConstraintName: 'workflow_versions_workflow_id_fkey' })
  workflow?: WorkflowEntity;

  @Column('integer')
  version: number;

  @Column('jsonb')
  definition: WorkflowDefinition;

  @Column('uuid', { nullable: true })
  createdBy: string | null;
}
