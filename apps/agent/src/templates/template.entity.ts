import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

export type TemplateKind = 'agent' | 'prompt';

/**
 * One version of a template. Versions of one template share family_id, which is the id users
 * see; owner_id null marks the built-in agent templates.
 */
@Entity({ schema: 'agent', name: 'templates' })
@Check('templates_kind_ck', `"kind" IN ('agent', 'prompt')`)
@Unique('templates_family_id_version_uq', ['familyId', 'version'])
@Index('templates_owner_kind_name_version_uq', ['ownerId', 'kind', 'name', 'version'], { unique: true, where: '"owner_id" IS NOT NULL' })
@Index('templates_built_in_kind_name_version_uq', ['kind', 'name', 'version'], { unique: true, where: '"owner_id" IS NULL' })
export class TemplateEntity extends BaseEntity {
  @Column('uuid')
  familyId: string;

  @Column('uuid', { nullable: true })
  ownerId: string | null;

  @Column('text')
  kind: TemplateKind;

  @Column('text')
  name: string;

  @Column('integer')
  version: number;

  @Column('jsonb')
  body: Record<string, unknown>;
}
