import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { IsNull } from 'typeorm';
import { TemplateEntity } from './template.entity.js';

type NewTemplate = Pick<TemplateEntity, 'familyId' | 'ownerId' | 'kind' | 'name' | 'version' | 'body'> & { id?: string };

@Injectable()
export class TemplatesRepository {
  constructor(private readonly database: Database) {}

  private get templates() {
    return this.database.repository(TemplateEntity);
  }

  /** The latest version of each built-in agent template, by name. */
  async listBuiltInAgentTemplates(): Promise<TemplateEntity[]> {
    const versions = await this.templates.find({ where: { ownerId: IsNull(), kind: 'agent' }, order: { name: 'ASC', version: 'DESC' } });
    return versions.filter((template, i) => i === 0 || versions[i - 1].name !== template.name);
  }

  findBuiltInAgentTemplate(name: string): Promise<TemplateEntity | null> {
    return this.templates.findOne({ where: { ownerId: IsNull(), kind: 'agent', name }, order: { version: 'DESC' } });
  }

  /** Every version of every prompt template of the owner, by template and then version. */
  listPrompts(ownerId: string): Promise<TemplateEntity[]> {
    return this.templates.find({ where: { ownerId, kind: 'prompt' }, order: { familyId: 'ASC', version: 'ASC' } });
  }

  /** Every version of one of the owner's prompt templates, oldest first. */
  listPromptVersions(ownerId: string, familyId: string): Promise<TemplateEntity[]> {
    return this.templates.find({ where: { ownerId, familyId, kind: 'prompt' }, order: { version: 'ASC' } });
  }

  findPromptByName(ownerId: string, name: string): Promise<TemplateEntity | null> {
    return this.templates.findOne({ where: { ownerId, kind: 'prompt', name }, order: { version: 'DESC' } });
  }

  /**
   * Serialises new versions of one template family: the advisory lock is keyed by the family,
   * held until the transaction ends, so two updates cannot both write version N+1. Plain SQL:
   * the repository API has no advisory locks.
   */
  async lockFamily(key: string): Promise<void> {
    await this.database.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
  }

  insert(template: NewTemplate): Promise<TemplateEntity> {
    return this.templates.save(this.templates.create(template));
  }

  async deleteFamily(ownerId: string, familyId: string): Promise<boolean> {
    const result = await this.templates.delete({ ownerId, familyId, kind: 'prompt' });
    return (result.affected ?? 0) > 0;
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.templates.delete({ ownerId });
  }
}
