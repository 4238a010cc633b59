import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

/** A folder for agents, workflows and MCP servers; those services keep the project id as a plain uuid. */
@Entity({ schema: 'identity', name: 'projects' })
export class ProjectEntity extends BaseEntity {
  @Column('uuid')
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
