import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

export type TemplateKind = 'agent' | 'prompt';

/**
 * One version of a template. Versions of one template share family_id, which is the id users
 * see; owner_id null marks the built-in agent templates.
 */
@Entity({ schema: 'agent', name: 'templates' })
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
