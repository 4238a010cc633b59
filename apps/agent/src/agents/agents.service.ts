import { Inject, Injectable } from '@nestjs/common';
import type { AgentConfig } from '#config';
import {
  type Actor,
  type AgentCreatedReply,
  AgentCreated,
  AgentDeleted,
  type AgentFields,
  type AgentList,
  type AgentSavedReply,
  AgentRestored,
  type AgentSnapshot,
  AgentUpdated,
  type AgentVersionList,
  type AgentVersionRequest,
  type AgentVersionView,
  type AgentView,
  type CreateAgentRequest,
  type ListAgentsQuery,
  type PublishAgentRequest,
  type UpdateAgentRequest,
  requireUserId,
} from '#contracts';
import type { Outbox } from '#messaging';
import { Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { OUTBOX } from '#service-kit';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import { canTransition, plainJson, RUN_FIELDS, sameJson, snapshotOf } from './agent-rules.js';
import { AgentVersionEntity } from './agent-version.entity.js';
import { AgentEntity } from './agent.entity.js';
import { toAgentVersionView, toAgentView } from './agent.mapper.js';
import { AgentsErrors } from './agents.errors.js';
import { AgentsRepository, type ResolvableAgent } from './agents.repository.js';
import { ToolOwnership } from './tool-ownership.js';

export type { AgentEntity } from './agent.entity.js';
export type { ResolvableAgent } from './agents.repository.js';

const DEFAULT_MODEL = { provider: 'openai', name: 'gpt-4o-mini' } as const;
const DEFAULT_MEMORY = { strategy: 'window', size: 20 } as const;
const DEFAULT_LIMIT = 20;

/** Fields that may be set to null to clear them; null anywhere else is refused. */
const NULLABLE = new Set(['description', 'avatarUrl', 'projectId']);
const EDITABLE = [
  'name',
  'description',
  'icon',
  'color',
  'avatarUrl',
  'projectId',
  'agentType',
  'modelProvider',
  'modelName',
  'systemPrompt',
  'tools',
  'knowledgeBaseIds',
  'memory',
  'configuration',
  'isActive',
] as const satisfies ReadonlyArray<keyof AgentFields>;

/** What a change of an existing agent may set (see applyChange). */
export type AgentChanges = Partial<Pick<AgentEntity, (typeof EDITABLE)[number] | 'status' | 'qaWho' | 'qaRules' | 'qaTricks'>>;

/** What every way of making an agent (form, template, wizard, import) hands to createAgent. */
export interface NewAgent {
  fields: AgentFields;
  templateName?: string | null;
  qa?: { who: string; rules: string; tricks: string } | null;
}

@Injectable()
export class AgentsService {
  private readonly changeListeners = new Set<(agentId: string) => void>();

  constructor(
    private readonly agents: AgentsRepository,
    private readonly templates: TemplatesService,
    private readonly projects: ProjectsService,
    private readonly knowledgeBases: KnowledgeBasesService,
    private readonly toolOwnership: ToolOwnership,
    private readonly database: Database,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
  ) {}

  /**
   * Hears the id of every agent of this replica that changed or went, once the change committed
   * (whoever opened the transaction). Answers the way to stop listening.
   */
  onChanged(listener: (agentId: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async create(actor: Actor, request: CreateAgentRequest): Promise<AgentCreatedReply> {
    const { template, ...fields } = request;
    let base: AgentFields = {};
    if (template !== undefined) {
      const found = await this.templates.findBuiltInAgentTemplate(template);
      if (!found) throw AgentsErrors.unknownTemplate(template);
      base = fieldsOfTemplate(found.body);
    }
    const merged: AgentFields = { ...base, ...definedOnly(fields) };
    return this.createAgent(actor, { fields: merged, templateName: template ?? null });
  }

  /** Creates an agent and its version 1 together with the created event (atomically: one statement). */
  async createAgent(actor: Actor, input: NewAgent): Promise<AgentCreatedReply> {
    const ownerId = requireUserId(actor);
    const f = input.fields;
    refuseNulls(f);
    if (f.name === undefined) throw AgentsErrors.nameRequired();
    const systemPrompt = f.systemPrompt ?? '';
    this.checkPrompt(systemPrompt);
    if (f.projectId) await this.projects.assertOwned(actor, f.projectId);
    if (f.knowledgeBaseIds?.length) await this.knowledgeBases.requireOwnedMany(ownerId, f.knowledgeBaseIds);
    if (f.tools) await this.toolOwnership.assertUsable(actor, f.tools);
    const agent = Object.assign(new AgentEntity(), {
      id: newId(),
      ownerId,
      projectId: f.projectId ?? null,
      name: f.name,
      description: f.description ?? null,
      icon: f.icon ?? 'bot',
      color: f.color ?? '#7C3AED',
      avatarUrl: f.avatarUrl ?? null,
      agentType: f.agentType ?? 'assistive',
      status: 'created',
      modelProvider: f.modelProvider ?? DEFAULT_MODEL.provider,
      modelName: f.modelName ?? DEFAULT_MODEL.name,
      systemPrompt,
      qaWho: input.qa?.who ?? null,
      qaRules: input.qa?.rules ?? null,
      qaTricks: input.qa?.tricks ?? null,
      tools: plainJson(f.tools ?? []),
      knowledgeBaseIds: f.knowledgeBaseIds ?? [],
      memory: plainJson(f.memory ?? DEFAULT_MEMORY),
      configuration: plainJson(f.configuration ?? {}),
      templateName: input.templateName ?? null,
      isPublished: false,
      publishedVersion: null,
      isActive: f.isActive ?? true,
      currentVersion: 1,
      deletedAt: null,
    } satisfies Omit<AgentEntity, 'createdAt' | 'updatedAt' | 'assignId'>);
    // One statement writes all three rows: no transaction needed, so none is opened (one round trip).
    const created = this.outbox.row(AgentCreated, { agentId: agent.id, ownerId, version: 1 }, actor);
    const saved = await this.agents.insert(agent, currentVersionOf(agent, ownerId), created);
    this.outbox.written(created);
    return { ...toAgentView(saved), authUrls: await this.toolOwnership.authUrls(ownerId, saved.id, saved.tools) };
  }

  async list(actor: Actor, query: ListAgentsQuery): Promise<AgentList> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.agents.list({
      ownerId: requireUserId(actor),
      projectId: query.projectId,
      agentType: query.type,
      status: query.status,
      nameContains: query.q,
      deletedSince: query.deleted === 'true' ? this.retentionStart() : undefined,
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    return pageOf(rows, limit, toAgentView, (agent) => encodeCursor({ id: agent.id }));
  }

  /** How every reply that shows an agent shows it. */
  view(agent: AgentEntity): AgentView {
    return toAgentView(agent);
  }

  /**
   * Applies a PATCH under a row lock: a change to a run field writes version N+1 with the whole
   * new state, in the same transaction as the agent row and the event, so versions stay gapless
   * and each snapshot is exactly one committed state.
   */
  async update(actor: Actor, request: UpdateAgentRequest): Promise<AgentSavedReply> {
    const { id, status, ...fields } = request;
    refuseNulls(fields);
    if (status === null) throw AgentsErrors.notNull('status');
    if (fields.systemPrompt !== undefined) this.checkPrompt(fields.systemPrompt);
    if (fields.projectId) await this.projects.assertOwned(actor, fields.projectId);
    // Another user's knowledge base (or none at all) is not found, as it is everywhere else.
    if (fields.knowledgeBaseIds?.length) await this.knowledgeBases.requireOwnedMany(requireUserId(actor), fields.knowledgeBaseIds);
    if (fields.tools) await this.toolOwnership.assertUsable(actor, fields.tools);
    const changes = Object.fromEntries(EDITABLE.map((key) => [key, fields[key]])) as AgentChanges;
    const saved = await this.database.transaction(async () => {
      const agent = await this.lockForChange(actor, id);
      if (status !== undefined && !canTransition(agent.status, status)) throw AgentsErrors.badTransition(agent.status, status);
      return this.applyChange(actor, agent, { ...changes, status });
    });
    // As on create: once committed, the consent links the agent's integration tools still need.
    return { ...saved, authUrls: await this.toolOwnership.authUrls(requireUserId(actor), saved.id, saved.tools) };
  }

  /** Soft delete: the agent leaves lists and cannot be resolved for a run; restore brings it back. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.database.transaction(async () => {
      const agent = await this.lockForChange(actor, id);
      agent.deletedAt = new Date();
      await this.agents.save(agent);
      await this.outbox.add(AgentDeleted, { agentId: id, ownerId: agent.ownerId, version: agent.currentVersion }, actor);
      this.announce(id);
    });
  }

  async restore(actor: Actor, id: string): Promise<AgentView> {
    const ownerId = requireUserId(actor);
    return this.database.transaction(async () => {
      const deleted = await this.agents.lockOwned(ownerId, id, { deleted: true });
      if (!deleted || !deleted.deletedAt || deleted.deletedAt < this.retentionStart()) {
        // A live agent of the caller is a conflict; anything else (past retention, another user's) is not found.
        if (await this.agents.lockOwned(ownerId, id, { deleted: false })) throw AgentsErrors.notDeleted();
        throw AgentsErrors.notFound();
      }
      deleted.deletedAt = null;
      await this.agents.save(deleted);
      await this.outbox.add(AgentRestored, { agentId: id, ownerId, version: deleted.currentVersion }, actor);
      this.announce(id);
      return toAgentView(deleted);
    });
  }

  async listVersions(actor: Actor, id: string): Promise<AgentVersionList> {
    const agent = await this.requireOwned(actor, id);
    return { items: (await this.agents.listVersions(agent.id)).map(toAgentVersionView) };
  }

  async getVersion(actor: Actor, request: AgentVersionRequest): Promise<AgentVersionView> {
    const agent = await this.requireOwned(actor, request.id);
    const version = await this.agents.findVersion(agent.id, request.version);
    if (!version) throw AgentsErrors.versionNotFound(request.version);
    return toAgentVersionView(version);
  }

  /** The run fields of one version of an agent, else NOT_FOUND. */
  async versionSnapshot(agentId: string, version: number): Promise<AgentSnapshot> {
    const found = await this.agents.findVersion(agentId, version);
    if (!found) throw AgentsErrors.versionNotFound(version);
    return found.snapshot;
  }

  /** Makes an old version's run fields current again, as a new version (history is never rewritten). */
  async restoreVersion(actor: Actor, request: AgentVersionRequest): Promise<AgentView> {
    return this.database.transaction(async () => {
      const agent = await this.lockForChange(actor, request.id);
      const old = await this.versionSnapshot(agent.id, request.version);
      return this.applyChange(actor, agent, Object.fromEntries(RUN_FIELDS.map((key) => [key, old[key]])) as AgentChanges);
    });
  }

  async publish(actor: Actor, request: PublishAgentRequest): Promise<AgentView> {
    return this.database.transaction(async () => {
      const agent = await this.lockForChange(actor, request.id);
      const version = request.version ?? agent.currentVersion;
      await this.versionSnapshot(agent.id, version);
      if (agent.isPublished && agent.publishedVersion === version) return toAgentView(agent);
      agent.isPublished = true;
      agent.publishedVersion = version;
      return this.saveChange(actor, agent, ['publishedVersion']);
    });
  }

  /**
   * A step of a change, inside the caller's transaction: the caller's live agent, locked until
   * the transaction ends (so concurrent changes of one agent run one after the other), else
   * NOT_FOUND (also for another user's agent).
   */
  async lockForChange(actor: Actor, id: string): Promise<AgentEntity> {
    const agent = await this.agents.lockOwned(requireUserId(actor), id, { deleted: false });
    if (!agent) throw AgentsErrors.notFound();
    return agent;
  }

  /**
   * The step every change of an existing agent ends with, on an agent from lockForChange in the
   * same transaction: sets the fields of `changes` that differ by value; if a run field changed,
   * writes version N+1 with the whole new state; saves; records agent.updated naming the changed
   * fields; and, once committed, every replica's cache forgets the agent.
   */
  async applyChange(actor: Actor, agent: AgentEntity, changes: AgentChanges): Promise<AgentView> {
    const changed: string[] = [];
    for (const [key, value] of Object.entries(changes) as Array<[keyof AgentChanges, unknown]>) {
      if (value === undefined) continue;
      const next = plainJson(value);
      if (sameJson(agent[key], next)) continue;
      (agent as unknown as Record<string, unknown>)[key] = next;
      changed.push(key);
    }
    return this.saveChange(actor, agent, changed);
  }

  /** A live agent of the caller, else NOT_FOUND (also for another user's agent). */
  async requireOwned(actor: Actor, id: string): Promise<AgentEntity> {
    const agent = await this.agents.findOwned(requireUserId(actor), id);
    if (!agent) throw AgentsErrors.notFound();
    return agent;
  }

  checkPrompt(prompt: string): void {
    if (prompt.length > this.config.maxPromptChars) throw AgentsErrors.promptTooLong(this.config.maxPromptChars);
  }

  /** Live agents with their current snapshot, newest first: one by id, an owner's, or (neither) all. */
  resolvable(filter: { id?: string; ownerId?: string; limit: number }): Promise<ResolvableAgent[]> {
    return this.agents.findResolvable(filter);
  }

  /**
   * Account deletion, in the caller's (the inbox's) transaction: the user's agents, live and
   * soft-deleted, with every version, go for good. No agent.deleted events: that event means
   * "soft-deleted, restorable", and every service hears user.deleted itself.
   */
  async deleteAllOf(ownerId: string): Promise<void> {
    await this.database.transaction(async () => {
      for (const id of await this.agents.deleteByOwner(ownerId)) this.announce(id);
    });
  }

  /** A deleted project: its agents stay, filed under no project; the project is not a run field, so no new version. */
  async leaveProject(ownerId: string, projectId: string): Promise<void> {
    await this.database.transaction(async () => {
      for (const agent of await this.agents.leaveProject(ownerId, projectId)) {
        await this.outbox.add(AgentUpdated, { agentId: agent.id, ownerId, version: agent.currentVersion, fields: ['projectId'] });
        this.announce(agent.id);
      }
    });
  }

  /** Removes, in batches, every agent deleted before the retention window (versions cascade); answers how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const batch = 500;
    let total = 0;
    for (;;) {
      const removed = await this.agents.purgeDeletedBefore(this.retentionStart(now), batch);
      total += removed;
      if (removed < batch) return total;
    }
  }

  private async saveChange(actor: Actor, agent: AgentEntity, changed: string[]): Promise<AgentView> {
    if (changed.length === 0) return toAgentView(agent);
    if (changed.some((field) => (RUN_FIELDS as readonly string[]).includes(field))) {
      agent.currentVersion += 1;
      await this.agents.insertVersion(currentVersionOf(agent, agent.ownerId));
    }
    await this.agents.save(agent);
    await this.outbox.add(AgentUpdated, { agentId: agent.id, ownerId: agent.ownerId, version: agent.currentVersion, fields: changed }, actor);
    this.announce(agent.id);
    return toAgentView(agent);
  }

  private announce(agentId: string): void {
    this.database.afterCommit(() => {
      for (const listener of this.changeListeners) listener(agentId);
    });
  }

  private retentionStart(now = new Date()): Date {
    return new Date(now.getTime() - this.config.retentionDays * 86_400_000);
  }
}

/** The version row of the agent's current state. */
function currentVersionOf(agent: AgentEntity, createdBy: string | null): AgentVersionEntity {
  return Object.assign(new AgentVersionEntity(), { id: newId(), agentId: agent.id, version: agent.currentVersion, snapshot: snapshotOf(agent), createdBy });
}

function refuseNulls(fields: AgentFields): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null && !NULLABLE.has(key)) throw AgentsErrors.notNull(key);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A built-in template's body (see migrations/agent/built-in-agent-templates.ts) as agent fields. */
function fieldsOfTemplate(body: Record<string, unknown>): AgentFields {
  const run = body.run as AgentSnapshot;
  return {
    name: typeof body.title === 'string' ? body.title : undefined,
    description: typeof body.description === 'string' ? body.description : undefined,
    icon: typeof body.icon === 'string' ? body.icon : undefined,
    color: typeof body.color === 'string' ? body.color : undefined,
    ...run,
  };
}
