import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { ProjectEntity } from './project.entity.js';

export const DEFAULT_PROJECT_NAME = 'My project';

@Injectable()
export class ProjectsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Scoped by owner: another user's id finds nothing, exactly like an unknown id. */
  findOwned(ownerId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<ProjectEntity | null> {
    return manager.getRepository(ProjectEntity).findOneBy({ id, ownerId });
  }

  /** Ordered by (sort_order, id); `after` is the last row of the previous page. */
  list(ownerId: string, archived: boolean, limit: number, after?: { sortOrder: number; id: string }): Promise<ProjectEntity[]> {
    const query = this.dataSource
      .getRepository(ProjectEntity)
      .createQueryBuilder('p')
      .where('p.owner_id = :ownerId AND p.is_archived = :archived', { ownerId, archived })
      .orderBy('p.sort_order', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .limit(limit);
    if (after) query.andWhere('(p.sort_order, p.id) > (:sortOrder, :id)', after);
    return query.getMany();
  }

  async nextSortOrder(manager: EntityManager, ownerId: string): Promise<number> {
    const [row] = await manager.query<Array<{ next: number }>>(
      `SELECT COALESCE(MAX("sort_order") + 1, 0)::int AS "next" FROM "identity"."projects" WHERE "owner_id" = $1`,
      [ownerId],
    );
    return Math.min(row.next, 1_000_000);
  }

  insert(manager: EntityManager, project: Pick<ProjectEntity, 'ownerId' | 'name' | 'description' | 'icon' | 'color' | 'isDefault' | 'sortOrder'>): Promise<ProjectEntity> {
    const repo = manager.getRepository(ProjectEntity);
    return repo.save(repo.create({ ...project, isArchived: false }));
  }

  save(manager: EntityManager, project: ProjectEntity): Promise<ProjectEntity> {
    return manager.getRepository(ProjectEntity).save(project);
  }

  /** Locks the row so a concurrent archive or update cannot race the deletion. */
  findOwnedForUpdate(manager: EntityManager, ownerId: string, id: string): Promise<ProjectEntity | null> {
    return manager.getRepository(ProjectEntity).createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :id AND p.owner_id = :ownerId', { id, ownerId }).getOne();
  }

  async delete(manager: EntityManager, ownerId: string, id: string): Promise<boolean> {
    const result = await manager.getRepository(ProjectEntity).delete({ id, ownerId, isDefault: false });
    return (result.affected ?? 0) > 0;
  }
}
