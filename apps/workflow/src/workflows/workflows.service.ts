import { Injectable } from '@nestjs/common';
import {
  type Actor,
  type CreateWorkflowRequest,
  type ExportWorkflowRequest,
  type ImportWorkflowRequest,
  type ListWorkflowsQuery,
  type PublishWorkflowRequest,
  type ResolvedWorkflow,
  type ResolveWorkflowRequest,
  requireUserId,
  type UpdateWorkflowRequest,
  validatePayload,
  WORKFLOW_EXPORT_KIND,
  type WorkflowDefinition,
  WorkflowDefinition as WorkflowDefinitionClass,
  type WorkflowDiff,
  type WorkflowDiffRequest,
  type WorkflowExport,
  type WorkflowList,
  type WorkflowValidationReply,
  type WorkflowVersionList,
  type WorkflowVersionRequest,
  type WorkflowVersionView,
  type WorkflowView,
} from '#contracts';
import { ActingUser, Database, decodeCursor, encodeCursor, newId, pageOf, sameJson } from '#persistence';
import { ProjectOwnership } from '#service-kit';
import { DefinitionsService } from '../definitions/definitions.service.js';
import { WorkflowVersionEntity } from './workflow-version.entity.js';
import { WorkflowEntity } from './workflow.entity.js';
import { toWorkflowSummary, toWorkflowVersionSummary, toWorkflowVersionView, toWorkflowView } from './workflow.mapper.js';
import { WorkflowsErrors } from './workflows.errors.js';
import { WorkflowsRepository } from './workflows.repository.js';

export { WorkflowEntity } from './workflow.entity.js';

const DEFAULT_LIMIT = 20;
const NULLABLE = new Set(['description', 'projectId']);

@Injectable()
export class WorkflowsService {
  constructor(
    private readonly workflows: WorkflowsRepository,
    private readonly definitions: DefinitionsService,
    private readonly projects: ProjectOwnership,
    private readonly database: Database,
  ) {}

  /** Checks the definition (structure and references), then writes the workflow and its version 1 in one transaction. */
  async create(actor: Actor, request: CreateWorkflowRequest): Promise<WorkflowView> {
    const ownerId = requireUserId(actor);
    refuseNulls(request);
    if (request.name === undefined) throw WorkflowsErrors.required('name');
    if (request.definition === undefined) throw WorkflowsErrors.required('definition');
    if (request.projectId) await this.projects.assertOwned(actor, request.projectId);
    const checked = await this.definitions.check(actor, request.definition);
    const workflow = Object.assign(new WorkflowEntity(), {
      id: newId(),
      ownerId,
      projectId: request.projectId ?? null,
      name: request.name,
      description: request.description ?? null,
      isActive: request.isActive ?? true,
      currentVersion: 1,
      publishedVersion: null,
      agentIds: checked.agentIds,
      createdAt: new Date(),
      updatedAt: new Date(),
    } satisfies Omit<WorkflowEntity, 'assignId'>);
    await this.database.transaction(() => this.workflows.insert(workflow, versionOf(workflow, checked.definition, ownerId)));
    return toWorkflowView(workflow, checked.definition);
  }

  async validate(actor: Actor, definition: WorkflowDefinition): Promise<WorkflowValidationReply> {
    const checked = await this.definitions.check(actor, definition);
    return { valid: true, definition: checked.definition, agentIds: checked.agentIds };
  }

  async list(actor: Actor, query: ListWorkflowsQuery): Promise<WorkflowList> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.workflows.list({
      ownerId: requireUserId(actor),
      projectId: query.projectId,
      nameContains: query.q,
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    return pageOf(rows, limit, toWorkflowSummary, (workflow) => encodeCursor({ id: workflow.id }));
  }

  async get(actor: Actor, id: string): Promise<WorkflowView> {
    const workflow = await this.requireOwned(requireUserId(actor), id);
    return toWorkflowView(workflow, (await this.version(workflow, workflow.currentVersion)).definition);
  }

  /**
   * Applies a PATCH under a row lock: a definition that differs from the current one (checked
   * again, in full) becomes version N+1, in the same transaction, so versions stay gapless.
   */
  async update(actor: Actor, request: UpdateWorkflowRequest): Promise<WorkflowView> {
    const ownerId = requireUserId(actor);
    refuseNulls(request);
    if (request.projectId) await this.projects.assertOwned(actor, request.projectId);
    // References are checked before the lock: they ask other services, which must not hold a row lock open.
    const checked = request.definition === undefined ? undefined : await this.definitions.check(actor, request.definition);
    return this.database.transaction(async () => {
      const workflow = await this.lockOwned(ownerId, request.id);
      if (request.name !== undefined) workflow.name = request.name;
      if (request.description !== undefined) workflow.description = request.description;
      if (request.projectId !== undefined) workflow.projectId = request.projectId;
      if (request.isActive !== undefined) workflow.isActive = request.isActive;
      let definition = (await this.version(workflow, workflow.currentVersion)).definition;
      if (checked && !sameJson(checked.definition, definition)) {
        definition = checked.definition;
        await this.addVersion(workflow, checked.definition, checked.agentIds, ownerId);
      }
      await this.workflows.save(workflow);
      return toWorkflowView(workflow, definition);
    });
  }

  /** Deletes the workflow for good, with its versions and everything that starts it (links, schedules, webhooks cascade). */
  async delete(actor: Actor, workflowId: string): Promise<void> {
    await this.database.transaction(async () => {
      const workflow = await this.lockOwned(requireUserId(actor), workflowId);
      await this.workflows.delete(workflow.id);
    });
  }

  async listVersions(actor: Actor, workflowId: string): Promise<WorkflowVersionList> {
    const workflow = await this.requireOwned(requireUserId(actor), workflowId);
    return { items: (await this.workflows.listVersions(workflow.id)).map(toWorkflowVersionSummary) };
  }

  async getVersion(actor: Actor, request: WorkflowVersionRequest): Promise<WorkflowVersionView> {
    const workflow = await this.requireOwned(requireUserId(actor), request.id);
    return toWorkflowVersionView(await this.version(workflow, request.version));
  }

  /** Makes an old version's definition current again as version N+1 (history is never rewritten), checked again as at save. */
  async restoreVersion(actor: Actor, request: WorkflowVersionRequest): Promise<WorkflowView> {
    const ownerId = requireUserId(actor);
    const old = await this.version(await this.requireOwned(ownerId, request.id), request.version);
    const checked = await this.definitions.check(actor, old.definition);
    return this.database.transaction(async () => {
      const workflow = await this.lockOwned(ownerId, request.id);
      await this.addVersion(workflow, checked.definition, checked.agentIds, ownerId);
      await this.workflows.save(workflow);
      return toWorkflowView(workflow, checked.definition);
    });
  }

  async diff(actor: Actor, request: WorkflowDiffRequest): Promise<WorkflowDiff> {
    const workflow = await this.requireOwned(requireUserId(actor), request.id);
    const [a, b] = await Promise.all([this.version(workflow, request.from), this.version(workflow, request.to)]);
    return this.definitions.diff(a.version, a.definition, b.version, b.definition);
  }

  /** Marks a version (the current one by default) as the published one. */
  async publish(actor: Actor, request: PublishWorkflowRequest): Promise<WorkflowView> {
    return this.database.transaction(async () => {
      const workflow = await this.lockOwned(requireUserId(actor), request.id);
      const pinned = await this.version(workflow, request.version ?? workflow.currentVersion);
      if (workflow.publishedVersion !== pinned.version) {
        workflow.publishedVersion = pinned.version;
        await this.workflows.save(workflow);
      }
      const current = pinned.version === workflow.currentVersion ? pinned : await this.version(workflow, workflow.currentVersion);
      return toWorkflowView(workflow, current.definition);
    });
  }

  async export(actor: Actor, request: ExportWorkflowRequest): Promise<WorkflowExport> {
    const workflow = await this.requireOwned(requireUserId(actor), request.id);
    const version = await this.version(workflow, request.version ?? workflow.currentVersion);
    return {
      kind: WORKFLOW_EXPORT_KIND,
      formatVersion: 1,
      sourceVersion: version.version,
      exportedAt: new Date().toISOString(),
      workflow: { name: workflow.name, description: workflow.description, definition: version.definition },
    };
  }

  /** Creates a workflow from our own export format, checked as any new workflow (the agents it names must be the importer's). */
  async import(actor: Actor, request: ImportWorkflowRequest): Promise<WorkflowView> {
    const given = request.definition;
    if (given.kind !== WORKFLOW_EXPORT_KIND) throw WorkflowsErrors.badExport(`definition.kind must be "${WORKFLOW_EXPORT_KIND}" (what GET /workflows/:id/export answers)`);
    if (given.formatVersion !== 1) throw WorkflowsErrors.badExport('definition.formatVersion must be 1');
    const body = given.workflow;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw WorkflowsErrors.badExport('definition.workflow must be an object { name, description, definition }');
    const { name, description, definition } = body as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw WorkflowsErrors.badExport('definition.workflow.name must be 1-200 characters');
    if (description !== undefined && description !== null && (typeof description !== 'string' || description.length > 2000)) {
      throw WorkflowsErrors.badExport('definition.workflow.description must be text of at most 2000 characters');
    }
    const graph = await validatePayload(WorkflowDefinitionClass, definition, 'definition.workflow.definition');
    return this.create(actor, { name, description: (description as string | null | undefined) ?? null, definition: graph, projectId: request.projectId });
  }

  /**
   * For the execution service (and this service's triggers): a pinned, validated version. A user
   * caller must own the workflow; a service naming an owner too. `published` takes the published
   * version; an inactive workflow does not run.
   */
  resolve(actor: Actor, request: ResolveWorkflowRequest): Promise<ResolvedWorkflow> {
    const ownerId = actor.kind === 'user' ? requireUserId(actor) : request.ownerId;
    // A service acts for the owner it names; one that names none reads the run's workflow whoever owns it.
    return ownerId ? ActingUser.run(ownerId, () => this.resolveFor(ownerId, request)) : ActingUser.system('resolve the workflow of a run', () => this.resolveFor(undefined, request));
  }

  private async resolveFor(ownerId: string | undefined, request: ResolveWorkflowRequest): Promise<ResolvedWorkflow> {
    const workflow = ownerId ? await this.workflows.findOwned(ownerId, request.workflowId) : await this.workflows.findById(request.workflowId);
    if (!workflow) throw WorkflowsErrors.notFound();
    if (!workflow.isActive) throw WorkflowsErrors.inactive();
    let version = request.version ?? workflow.currentVersion;
    if (request.published) {
      if (workflow.publishedVersion === null) throw WorkflowsErrors.notPublished();
      version = request.version ?? workflow.publishedVersion;
    }
    const pinned = await this.version(workflow, version);
    return { workflowId: workflow.id, ownerId: workflow.ownerId, name: workflow.name, version: pinned.version, definition: pinned.definition };
  }

  /** The owner's workflow, else NOT_FOUND (also for another user's). */
  async requireOwned(ownerId: string, workflowId: string): Promise<WorkflowEntity> {
    const workflow = await this.workflows.findOwned(ownerId, workflowId);
    if (!workflow) throw WorkflowsErrors.notFound();
    return workflow;
  }

  /** A version of the workflow, else NOT_FOUND. */
  async version(workflow: WorkflowEntity, version: number): Promise<WorkflowVersionEntity> {
    const found = await this.workflows.findVersion(workflow.id, version);
    if (!found) throw WorkflowsErrors.versionNotFound(version);
    return found;
  }

  /** Account deletion, in the caller's transaction: every workflow of the user goes, with all that hangs on it. */
  async deleteAllOf(ownerId: string): Promise<void> {
    await this.workflows.deleteByOwner(ownerId);
  }

  /** A deleted project: its workflows stay, filed under no project. */
  async leaveProject(ownerId: string, projectId: string): Promise<void> {
    await this.workflows.leaveProject(ownerId, projectId);
  }

  private async lockOwned(ownerId: string, workflowId: string): Promise<WorkflowEntity> {
    const workflow = await this.workflows.lockOwned(ownerId, workflowId);
    if (!workflow) throw WorkflowsErrors.notFound();
    return workflow;
  }

  private async addVersion(workflow: WorkflowEntity, definition: WorkflowDefinition, agentIds: string[], createdBy: string): Promise<void> {
    workflow.currentVersion += 1;
    workflow.agentIds = agentIds;
    await this.workflows.insertVersion(versionOf(workflow, definition, createdBy));
  }
}

function versionOf(workflow: WorkflowEntity, definition: WorkflowDefinition, createdBy: string | null): WorkflowVersionEntity {
  return Object.assign(new WorkflowVersionEntity(), { id: newId(), workflowId: workflow.id, version: workflow.currentVersion, definition, createdBy });
}

function refuseNulls(fields: object): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null && !NULLABLE.has(key)) throw WorkflowsErrors.notNull(key);
  }
}
