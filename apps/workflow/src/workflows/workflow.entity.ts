import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'workflow', name: 'workflows' })
@Check('workflows_current_version_ck', `"current_version" >= 1`)
@Check('workflows_published_version_ck', `"published_version" IS NULL OR "published_version" BETWEEN 1 AND "current_version"`)
// Lists page by id (time-ordered) within one owner; the migration orders "id" DESC, which @Index cannot say.
@Index('workflows_owner_id_id_idx', ['ownerId', 'id'])
@Index('workflows_project_id_idx', ['projectId'], { where: '"project_id" IS NOT NULL' })
export class WorkflowEntity extends BaseEntity {
  /** A user of the identity service; no foreign key across schemas (user.deleted cleans up). */
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  projectId: string | null;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('boolean', { default: true })
  isActive: boolean;

  @Column('integer', { default: 1 })
  currentVersion: number;

  @Column('integer', { nullable: true })
  publishedVersion: number | null;

  /** The agents the current version runs (derived from its definition). */
  @Column('uuid', { array: true, default: () => `'{}'` })
  agentIds: string[];
}
