import { Inject, Injectable } from '@nestjs/common';
import type { AgentConfig } from '#config';
import { type Actor, type AgentCreatedReply, AgentCreated, AgentDeleted, type AgentFields, type AgentList, AgentRestored, type AgentSnapshot, AgentUpdated, type AgentVersionList, type AgentVersionRequest, type AgentVersionView, type AgentView, type CreateAgentRequest, type ListAgentsQuery, type PublishAgentRequest, type UpdateAgentRequest, requireUserId } from '#contracts';
import type { Outbox } from '#messaging';
import { DATA_SOURCE, OUTBOX } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { AgentConfigCache } from '../config-cache/agent-config-cache.js';
import { TemplatesService } from '../templates/templates.service.js';
import { canTransition, plainJson, RUN_FIELDS, type RunField, sameJson, snapshotOf } from './agent-rules.js';
import { AgentEntity } from './agent.entity.js';
import { toAgentVersionView, toAgentView } from './agent.mapper.js';
import { AgentsErrors, invalidField } from './agents.errors.js';
import { AgentsRepository } from './agents.repository.js';
import { ProjectOwnership } from './project-ownership.js';
import { decodeCursor, encodeCursor } from '#persistence';

export const DEFAULT_MODEL = { provider: 'openai', name: 'gpt-4o-mini' } as const;
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

/** What every way of making an agent (form, template, wizard, import) hands to createAgent. */
export interface NewAgent {
  fields: AgentFields;
  templateName?: string | null;
  qa?: { who: string; rules: string; tricks: string } | null;
}

@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly templates: TemplatesService,
    private readonly cache: AgentConfigCache,
    private readonly projects: ProjectOwnership,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
  ) {}

  async create(actor: Actor, request: CreateAgentRequest): Promise<AgentCreatedReply> {
    const { template, ...fields } = request;
    let base: AgentFields = {};
    if (template !== undefined) {
      const found = await this.templates.findBuiltInAgentTemplate(template);
      if (!found) throw AgentsErrors.unknownTemplate(template);
      base = fieldsOfTemplate(found.body);
    }
    const merged: AgentFields = { ...base, ...definedOnly(fields) };
    const agent = await this.createAgent(actor, { fields: merged, templateName: template ?? null });
    return { ...toAgentView(agent), authUrls: authUrlsFor(agent) };
  }

  /** Creates an agent and its version 1 in one transaction with the created event. */
  async createAgent(actor: Actor, input: NewAgent): Promise<AgentEntity> {
    const ownerId = requireUserId(actor);
    const f = input.fields;
    refuseNulls(f);
    if (f.name === undefined) throw invalidField('name', 'name is required (or start from a template)');
    const systemPrompt = f.systemPrompt ?? '';
    this.checkPrompt(systemPrompt);
    if (f.projectId) await this.projects.assertOwned(actor, f.projectId);
    const agent = Object.assign(new AgentEntity(), {
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
    } satisfies Omit<AgentEntity, 'id' | 'createdAt' | 'updatedAt' | 'assignId'>);
    return this.dataSource.transaction(async (manager) => {
      const saved = await this.agents.insert(manager, agent, snapshotOf(agent), ownerId);
      await this.outbox.addIn(manager, AgentCreated, { agentId: saved.id, ownerId, version: 1 }, actor);
      return saved;
    });
  }

  async list(actor: Actor, query: ListAgentsQuery): Promise<AgentList> {
    const ownerId = requireUserId(actor);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.agents.list({
      ownerId,
      projectId: query.projectId,
      agentType: query.type,
      status: query.status,
      nameContains: query.q,
      deletedSince: query.deleted === 'true' ? this.retentionStart() : undefined,
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { items: page.map(toAgentView), nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].id }) : null };
  }

  async get(actor: Actor, id: string): Promise<AgentView> {
    return toAgentView(await this.requireOwned(actor, id));
  }

  /**
   * Applies a PATCH under a row lock: a change to a run field writes version N+1 with the whole
   * new state, in the same transaction as the agent row and the event, so versions stay gapless
   * and each snapshot is exactly one committed state.
   */
  async update(actor: Actor, request: UpdateAgentRequest): Promise<AgentView> {
    const { id, status, ...fields } = request;
    refuseNulls(fields);
    if (status === null) throw invalidField('status', 'status must not be null');
    if (fields.systemPrompt !== undefined) this.checkPrompt(fields.systemPrompt);
    if (fields.projectId) await this.projects.assertOwned(actor, fields.projectId);
    return this.change(actor, id, (agent) => {
      const changed: string[] = [];
      for (const key of EDITABLE) {
        const value = fields[key];
        if (value === undefined) continue;
        const next = plainJson(value);
        if (sameJson(agent[key], next)) continue;
        (agent as unknown as Record<string, unknown>)[key] = next;
        changed.push(key);
      }
      if (status !== undefined && status !== agent.status) {
        if (!canTransition(agent.status, status)) throw AgentsErrors.badTransition(agent.status, status);
        agent.status = status;
        changed.push('status');
      }
      return changed;
    });
  }

  /**
   * The one path every change of an existing agent takes: lock, mutate, version if a run field
   * changed, save, event, then drop the cached configuration once committed.
   */
  async change(actor: Actor, id: string, mutate: (agent: AgentEntity, manager: EntityManager) => string[] | Promise<string[]>): Promise<AgentView> {
    const ownerId = requireUserId(actor);
    const agent = await this.dataSource.transaction(async (manager) => {
      const locked = await this.agents.lockOwned(manager, ownerId, id, { deleted: false });
      if (!locked) throw AgentsErrors.notFound();
      const changed = await mutate(locked, manager);
      if (changed.length === 0) return locked;
      if (changed.some((field) => (RUN_FIELDS as readonly string[]).includes(field))) {
        locked.currentVersion += 1;
        await this.agents.insertVersion(manager, locked.id, locked.currentVersion, snapshotOf(locked), ownerId);
      }
      const saved = await this.agents.save(manager, locked);
      await this.outbox.addIn(manager, AgentUpdated, { agentId: saved.id, ownerId, version: saved.currentVersion, fields: changed }, actor);
      return saved;
    });
    this.cache.invalidate(id);
    return toAgentView(agent);
  }

  /** Soft delete: the agent leaves lists and cannot be resolved for a run; restore brings it back. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.dataSource.transaction(async (manager) => {
      const agent = await this.agents.lockOwned(manager, ownerId, id, { deleted: false });
      if (!agent) throw AgentsErrors.notFound();
      agent.deletedAt = new Date();
      await this.agents.save(manager, agent);
      await this.outbox.addIn(manager, AgentDeleted, { agentId: id, ownerId, version: agent.currentVersion }, actor);
    });
    this.cache.invalidate(id);
  }

  async restore(actor: Actor, id: string): Promise<AgentView> {
    const ownerId = requireUserId(actor);
    const agent = await this.dataSource.transaction(async (manager) => {
      const deleted = await this.agents.lockOwned(manager, ownerId, id, { deleted: true });
      if (!deleted || !deleted.deletedAt || deleted.deletedAt < this.retentionStart()) {
        // A live agent of the caller is a conflict; anything else (past retention, another user's) is not found.
        if (await this.agents.lockOwned(manager, ownerId, id, { deleted: false })) throw AgentsErrors.notDeleted();
        throw AgentsErrors.notFound();
      }
      deleted.deletedAt = null;
      const saved = await this.agents.save(manager, deleted);
      await this.outbox.addIn(manager, AgentRestored, { agentId: id, ownerId, version: saved.currentVersion }, actor);
      return saved;
    });
    this.cache.invalidate(id);
    return toAgentView(agent);
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

  /** Makes an old version's run fields current again, as a new version (history is never rewritten). */
  async restoreVersion(actor: Actor, request: AgentVersionRequest): Promise<AgentView> {
    return this.change(actor, request.id, async (agent, manager) => {
      const old = await this.agents.findVersion(agent.id, request.version, manager);
      if (!old) throw AgentsErrors.versionNotFound(request.version);
      const changed: RunField[] = [];
      for (const key of RUN_FIELDS) {
        if (sameJson(agent[key], old.snapshot[key])) continue;
        (agent as unknown as Record<string, unknown>)[key] = plainJson(old.snapshot[key]);
        changed.push(key);
      }
      return changed;
    });
  }

  async publish(actor: Actor, request: PublishAgentRequest): Promise<AgentView> {
    return this.change(actor, request.id, async (agent, manager) => {
      const version = request.version ?? agent.currentVersion;
      if (!(await this.agents.findVersion(agent.id, version, manager))) throw AgentsErrors.versionNotFound(version);
      if (agent.isPublished && agent.publishedVersion === version) return [];
      agent.isPublished = true;
      agent.publishedVersion = version;
      return ['publishedVersion'];
    });
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

  private retentionStart(): Date {
    return new Date(Date.now() - this.config.retentionDays * 86_400_000);
  }
}

/** Seed 000: consent links for tools that need an integration; empty until the integration service exists. */
export function authUrlsFor(_agent: AgentEntity): Record<string, string> {
  return {};
}

function refuseNulls(fields: AgentFields): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null && !NULLABLE.has(key)) throw invalidField(key, `${key} must not be null`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A built-in template's body (see migrations/agent/built-in-agent-templates.ts) as agent fields. */
export function fieldsOfTemplate(body: Record<string, unknown>): AgentFields {
  const run = body.run as AgentSnapshot;
  return {
    name: typeof body.title === 'string' ? body.title : undefined,
    description: typeof body.description === 'string' ? body.description : undefined,
    icon: typeof body.icon === 'string' ? body.icon : undefined,
    color: typeof body.color === 'string' ? body.color : undefined,
    ...run,
  };
}

