import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import { TemplateEntity } from './template.entity.js';

@Injectable()
export class TemplatesRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The latest version of each built-in agent template. */
  listBuiltInAgentTemplates(): Promise<TemplateEntity[]> {
    return this.dataSource
      .getRepository(TemplateEntity)
      .createQueryBuilder('t')
      .distinctOn(['t.name'])
      .where(`t.ownerId IS NULL AND t.kind = 'agent'`)
      .orderBy('t.name', 'ASC')
      .addOrderBy('t.version', 'DESC')
      .getMany();
  }

  findBuiltInAgentTemplate(name: string): Promise<TemplateEntity | null> {
    return this.dataSource.getRepository(TemplateEntity).findOne({ where: { ownerId: IsNull(), kind: 'agent', name }, order: { version: 'DESC' } });
  }

  /** Every version of every prompt template of the owner, by template and then version. */
  listPrompts(ownerId: string): Promise<TemplateEntity[]> {
    return this.dataSource.getRepository(TemplateEntity).find({ where: { ownerId, kind: 'prompt' }, order: { familyId: 'ASC', version: 'ASC' } });
  }

  /** Every version of one of the owner's prompt templates, oldest first. */
  listPromptVersions(ownerId: string, familyId: string, manager?: EntityManager): Promise<TemplateEntity[]> {
    return (manager ?? this.dataSource.manager).getRepository(TemplateEntity).find({ where: { ownerId, familyId, kind: 'prompt' }, order: { version: 'ASC' } });
  }

  findPromptByName(manager: EntityManager, ownerId: string, name: string): Promise<TemplateEntity | null> {
    return manager.getRepository(TemplateEntity).findOne({ where: { ownerId, kind: 'prompt', name }, order: { version: 'DESC' } });
  }

  /**
   * Serialises new versions of one template family: the advisory lock is keyed by the family,
   * held until the transaction ends, so two updates cannot both write version N+1.
   */
  async lockFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [familyId]);
  }

  insert(manager: EntityManager, template: Pick<TemplateEntity, 'familyId' | 'ownerId' | 'kind' | 'name' | 'version' | 'body'> & { id?: string }): Promise<TemplateEntity> {
    const repo = manager.getRepository(TemplateEntity);
    return repo.save(repo.create(template));
  }

  async deleteFamily(manager: EntityManager, ownerId: string, familyId: string): Promise<boolean> {
    const result = await manager.getRepository(TemplateEntity).delete({ ownerId, familyId, kind: 'prompt' });
    return (result.affected ?? 0) > 0;
  }

  async deleteByOwner(manager: EntityManager, ownerId: string): Promise<void> {
    await manager.getRepository(TemplateEntity).delete({ ownerId });
  }
}
