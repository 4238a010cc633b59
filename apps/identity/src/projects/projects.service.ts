import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type CreateProjectRequest, type ListProjectsRequest, ProjectDeleted, type ProjectPage, type ProjectView, type UpdateProjectRequest, requireUserId } from '#contracts';
import type { Outbox } from '#messaging';
import { Database, decodeCursor, encodeCursor, isForeignKeyViolation, pageOf } from '#persistence';
import { OUTBOX } from '#service-kit';
import type { ProjectEntity } from './project.entity.js';
import { toProjectView } from './project.mapper.js';
import { ProjectsErrors } from './projects.errors.js';
import { ProjectsRepository } from './projects.repository.js';

const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_PROJECT_NAME = 'My project';
const MAX_SORT_ORDER = 1_000_000;

function rethrowOwnerGone(err: unknown): never {
  if (isForeignKeyViolation(err, 'projects_owner_id_fkey')) throw ProjectsErrors.ownerGone();
  throw err;
}

@Injectable()
export class ProjectsService {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly database: Database,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  /** A step of registration, in its transaction: a user never exists without a default project. */
  async createDefault(ownerId: string): Promise<void> {
    await this.projects.insert({ ownerId, name: DEFAULT_PROJECT_NAME, description: null, icon: 'folder', color: '#f97316', isDefault: true, sortOrder: 0 });
  }

  async list(actor: Actor, request: ListProjectsRequest): Promise<ProjectPage> {
    const ownerId = requireUserId(actor);
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const after = request.cursor ? decodeCursor(request.cursor, { sortOrder: 'int', id: 'uuid' }) : undefined;
    const rows = await this.projects.list(ownerId, request.archived === 'true', limit + 1, after);
    return pageOf(rows, limit, toProjectView, (p) => encodeCursor({ sortOrder: p.sortOrder, id: p.id }));
  }

  async get(actor: Actor, id: string): Promise<ProjectView> {
    return toProjectView(await this.owned(requireUserId(actor), id));
  }

  async create(actor: Actor, request: CreateProjectRequest): Promise<ProjectView> {
    const ownerId = requireUserId(actor);
    return this.database
      .transaction(async () => {
        const sortOrder = request.sortOrder ?? Math.min(((await this.projects.highestSortOrder(ownerId)) ?? -1) + 1, MAX_SORT_ORDER);
        const project = await this.projects.insert({
          ownerId,
          name: request.name.trim(),
          description: request.description?.trim() || null,
          icon: request.icon ?? 'folder',
          color: (request.color ?? '#f97316').toLowerCase(),
          isDefault: false,
          sortOrder,
        });
        return toProjectView(project);
      })
      .catch(rethrowOwnerGone);
  }

  async update(actor: Actor, request: UpdateProjectRequest): Promise<ProjectView> {
    const ownerId = requireUserId(actor);
    return this.database.transaction(async () => {
      const project = await this.projects.findOwnedForUpdate(ownerId, request.id);
      if (!project) throw ProjectsErrors.notFound();
      if (request.name !== undefined) project.name = request.name.trim();
      if (request.description !== undefined) project.description = request.description?.trim() || null;
      if (request.icon !== undefined) project.icon = request.icon;
      if (request.color !== undefined) project.color = request.color.toLowerCase();
      if (request.sortOrder !== undefined) project.sortOrder = request.sortOrder;
      return toProjectView(await this.projects.save(project));
    });
  }

  async setArchived(actor: Actor, id: string, archived: boolean): Promise<ProjectView> {
    const ownerId = requireUserId(actor);
    return this.database.transaction(async () => {
      const project = await this.projects.findOwnedForUpdate(ownerId, id);
      if (!project) throw ProjectsErrors.notFound();
      if (project.isDefault && archived) throw ProjectsErrors.defaultUnarchivable();
      if (project.isArchived === archived) return toProjectView(project);
      project.isArchived = archived;
      return toProjectView(await this.projects.save(project));
    });
  }

  /**
   * The row and its `project.deleted` event commit together; the services that file agents,
   * workflows and MCP servers under it move them to no project when they hear the event.
   */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.database.transaction(async () => {
      const project = await this.projects.findOwnedForUpdate(ownerId, id);
      if (!project) throw ProjectsErrors.notFound();
      if (project.isDefault) throw ProjectsErrors.defaultUndeletable();
      await this.projects.delete(ownerId, id);
      await this.outbox.add(ProjectDeleted, { projectId: id, ownerId }, actor);
    });
  }

  private async owned(ownerId: string, id: string): Promise<ProjectEntity> {
    const project = await this.projects.findOwned(ownerId, id);
    if (!project) throw ProjectsErrors.notFound();
    return project;
  }
}
