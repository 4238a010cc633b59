import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BaseEntity } from '#persistence';

/** A folder for agents, workflows and MCP servers; those services keep the project id as a plain uuid. */
@Entity({ schema: 'identity', name: 'projects' })
@Index('projects_owner_id_default_uq', ['ownerId'], { unique: true, where: '"is_default"' })
@Index('projects_owner_id_sort_idx', ['ownerId', 'isArchived', 'sortOrder', 'id'])
@Check('projects_default_not_archived_check', 'NOT ("is_default" AND "is_archived")')
export class ProjectEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('users', { name: 'projects_owner_id_fkey', onDelete: 'CASCADE' })
  ownerId: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { default: 'folder' })
  icon: string;

  @Column('text', { default: '#f97316' })
  color: string;

  /** Exactly one per user (projects_owner_id_default_uq); never deleted or archived. */
  @Column('boolean', { default: false })
  isDefault: boolean;

  @Column('boolean', { default: false })
  isArchived: boolean;

  @Column('integer', { default: 0 })
  sortOrder: number;
}
