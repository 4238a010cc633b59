import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { MoreThan } from 'typeorm';
import { ProjectEntity } from './project.entity.js';

@Injectable()
export class ProjectsRepository {
  constructor(private readonly database: Database) {}

  private get projects() {
    return this.database.repository(ProjectEntity);
  }

  /** Scoped by owner: another user's id finds nothing, exactly like an unknown id. */
  findOwned(ownerId: string, id: string): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ id, ownerId });
  }

  /** Locks the row (in the caller's transaction) so a concurrent archive, update or deletion waits. */
  findOwnedForUpdate(ownerId: string, id: string): Promise<ProjectEntity | null> {
    return this.projects.findOne({ where: { id, ownerId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Ordered by (sort_order, id); `after` is the last row of the previous page. */
  list(ownerId: string, archived: boolean, limit: number, after?: { sortOrder: number; id: string }): Promise<ProjectEntity[]> {
    const mine = { ownerId, isArchived: archived };
    return this.projects.find({
      where: after ? [{ ...mine, sortOrder: MoreThan(after.sortOrder) }, { ...mine, sortOrder: after.sortOrder, id: MoreThan(after.id) }] : mine,
      order: { sortOrder: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  async highestSortOrder(ownerId: string): Promise<number | null> {
    return this.projects.maximum('sortOrder', { ownerId });
  }

  insert(project: Pick<ProjectEntity, 'ownerId' | 'name' | 'description' | 'icon' | 'color' | 'isDefault' | 'sortOrder'>): Promise<ProjectEntity> {
    return this.projects.save(this.projects.create({ ...project, isArchived: false }));
  }

  save(project: ProjectEntity): Promise<ProjectEntity> {
    return this.projects.save(project);
  }

  async delete(ownerId: string, id: string): Promise<boolean> {
    const result = await this.projects.delete({ id, ownerId, isDefault: false });
    return (result.affected ?? 0) > 0;
  }
}
