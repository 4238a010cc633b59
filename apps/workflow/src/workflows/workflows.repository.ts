import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { ILike, LessThan, type FindOptionsWhere } from 'typeorm';
import { WorkflowVersionEntity } from './workflow-version.entity.js';
import { WorkflowEntity } from './workflow.entity.js';

export interface WorkflowListFilter {
  ownerId: string;
  projectId?: string;
  nameContains?: string;
  beforeId?: string;
  limit: number;
}

@Injectable()
export class WorkflowsRepository {
  constructor(private readonly database: Database) {}

  private get workflows() {
    return this.database.repository(WorkflowEntity);
  }

  private get versions() {
    return this.database.repository(WorkflowVersionEntity);
  }

  /** A workflow of this owner, or null: another owner's workflow is not found. */
  findOwned(ownerId: string, id: string): Promise<WorkflowEntity | null> {
    return this.workflows.findOneBy({ id, ownerId });
  }

  findById(id: string): Promise<WorkflowEntity | null> {
    return this.workflows.findOneBy({ id });
  }

  /** Locks the workflow row for the rest of the transaction, so changes of one workflow run one after the other (versions stay gapless). */
  lockOwned(ownerId: string, id: string): Promise<WorkflowEntity | null> {
    return this.workflows.findOne({ where: { id, ownerId }, lock: { mode: 'pessimistic_write' } });
  }

  async insert(workflow: WorkflowEntity, firstVersion: WorkflowVersionEntity): Promise<void> {
    await this.workflows.insert(workflow);
    await this.versions.save(firstVersion);
  }

  /** Writes every column of a locked workflow back, with a new updated_at. */
  async save(workflow: WorkflowEntity): Promise<void> {
    workflow.updatedAt = new Date();
    const { id, createdAt: _createdAt, ...columns } = workflow;
    await this.workflows.update({ id }, columns);
  }

  async insertVersion(version: WorkflowVersionEntity): Promise<void> {
    await this.versions.save(version);
  }

  list(filter: WorkflowListFilter): Promise<WorkflowEntity[]> {
    const where: FindOptionsWhere<WorkflowEntity> = { ownerId: filter.ownerId };
    if (filter.projectId) where.projectId = filter.projectId;
    // Backslash is PostgreSQL's default LIKE escape: the user's text matches literally.
    if (filter.nameContains) where.name = ILike(`%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filter.beforeId) where.id = LessThan(filter.beforeId);
    return this.workflows.find({ where, order: { id: 'DESC' }, take: filter.limit });
  }

  listVersions(workflowId: string): Promise<WorkflowVersionEntity[]> {
    return this.versions.find({ select: { id: true, workflowId: true, version: true, createdBy: true, createdAt: true }, where: { workflowId }, order: { version: 'ASC' } });
  }

  findVersion(workflowId: string, version: number): Promise<WorkflowVersionEntity | null> {
    return this.versions.findOneBy({ workflowId, version });
  }

  async delete(id: string): Promise<void> {
    await this.workflows.delete({ id });
  }

  /** Account deletion: the owner's workflows go (versions and everything hung on them cascade). */
  async deleteByOwner(ownerId: string): Promise<void> {
    await this.workflows.delete({ ownerId });
  }

  /** A deleted project: its workflows move to no project. */
  async leaveProject(ownerId: string, projectId: string): Promise<void> {
    await this.workflows.update({ ownerId, projectId }, { projectId: null });
  }
}
