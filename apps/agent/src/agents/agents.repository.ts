import { Inject, Injectable } from '@nestjs/common';
import type { AgentSnapshot, AgentStatus, AgentType } from '#contracts';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { AgentVersionEntity } from './agent-version.entity.js';
import { AgentEntity } from './agent.entity.js';

export interface AgentListFilter {
  ownerId: string;
  projectId?: string;
  agentType?: AgentType;
  status?: AgentStatus;
  nameContains?: string;
  /** Lists deleted agents deleted after this instant instead of live ones. */
  deletedSince?: Date;
  beforeId?: string;
  limit: number;
}

export interface AgentWithSnapshot {
  agent: AgentEntity;
  snapshot: AgentSnapshot;
}

@Injectable()
export class AgentsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * A live (not deleted) agent of this owner, or null: another owner's agent is not found.
   * Plain SQL on purpose: this is the hot read (GET /agents/:id, export, versions), and the query
   * builder's planning and hydration cost more CPU than the query itself.
   */
  async findOwned(ownerId: string, id: string): Promise<AgentEntity | null> {
    const rows: AgentRow[] = await this.dataSource.query(`SELECT * FROM "agent"."agents" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS NULL`, [id, ownerId]);
    return rows.length === 0 ? null : agentFromRow(rows[0]);
  }

  /**
   * Locks the agent row for the rest of the transaction, so concurrent changes of one agent run
   * one after the other and each sees the version the previous one wrote.
   */
  async lockOwned(manager: EntityManager, ownerId: string, id: string, options: { deleted: boolean }): Promise<AgentEntity | null> {
    const rows: AgentRow[] = await manager.query(
      `SELECT * FROM "agent"."agents" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS ${options.deleted ? 'NOT NULL' : 'NULL'} FOR UPDATE`,
      [id, ownerId],
    );
    return rows.length === 0 ? null : agentFromRow(rows[0]);
  }

  /**
   * The agent and its version 1 in one statement. Plain SQL here and in save(): creating and
   * changing agents is hot (POST /agents is benchmarked), and the ORM's save() costs a read
   * before each write and more CPU than the statement.
   */
  async insert(manager: EntityManager, agent: AgentEntity, snapshot: AgentSnapshot, createdBy: string | null): Promise<AgentEntity> {
    const rows: AgentRow[] = await manager.query(
      `WITH "a" AS (
         INSERT INTO "agent"."agents" (${AGENT_COLUMNS.map((c) => `"${c}"`).join(', ')})
         VALUES (${AGENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
         RETURNING *
       ), "v" AS (
         INSERT INTO "agent"."agent_versions" ("id", "agent_id", "version", "snapshot", "created_by")
         SELECT $${AGENT_COLUMNS.length + 1}, "a"."id", 1, $${AGENT_COLUMNS.length + 2}, $${AGENT_COLUMNS.length + 3} FROM "a"
       )
       SELECT * FROM "a"`,
      [...columnValues({ ...agent, id: agent.id ?? newId() }), newId(), JSON.stringify(snapshot), createdBy],
    );
    return agentFromRow(rows[0]);
  }

  /** Writes every column of a locked agent back. */
  async save(manager: EntityManager, agent: AgentEntity): Promise<AgentEntity> {
    const columns = AGENT_COLUMNS.filter((c) => c !== 'id');
    const rows = await returning<AgentRow>(
      manager,
      `UPDATE "agent"."agents" SET ${columns.map((c, i) => `"${c}" = $${i + 2}`).join(', ')}, "updated_at" = now() WHERE "id" = $1 RETURNING *`,
      [agent.id, ...columnValues(agent).slice(1)],
    );
    return agentFromRow(rows[0]);
  }

  async insertVersion(manager: EntityManager, agentId: string, version: number, snapshot: AgentSnapshot, createdBy: string | null): Promise<void> {
    await manager.query(`INSERT INTO "agent"."agent_versions" ("id", "agent_id", "version", "snapshot", "created_by") VALUES ($1, $2, $3, $4, $5)`, [
      newId(),
      agentId,
      version,
      JSON.stringify(snapshot),
      createdBy,
    ]);
  }

  list(filter: AgentListFilter): Promise<AgentEntity[]> {
    const qb = this.dataSource.getRepository(AgentEntity).createQueryBuilder('a').where('a.ownerId = :ownerId', { ownerId: filter.ownerId });
    if (filter.deletedSince) qb.andWhere('a.deletedAt >= :since', { since: filter.deletedSince });
    else qb.andWhere('a.deletedAt IS NULL');
    if (filter.projectId) qb.andWhere('a.projectId = :projectId', { projectId: filter.projectId });
    if (filter.agentType) qb.andWhere('a.agentType = :agentType', { agentType: filter.agentType });
    if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
    if (filter.nameContains) qb.andWhere(`a.name ILIKE :pattern ESCAPE '\\'`, { pattern: `%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    if (filter.beforeId) qb.andWhere('a.id < :beforeId', { beforeId: filter.beforeId });
    return qb.orderBy('a.id', 'DESC').limit(filter.limit).getMany();
  }

  listVersions(agentId: string): Promise<AgentVersionEntity[]> {
    return this.dataSource.getRepository(AgentVersionEntity).find({ where: { agentId }, order: { version: 'ASC' } });
  }

  findVersion(agentId: string, version: number, manager?: EntityManager): Promise<AgentVersionEntity | null> {
    return (manager ?? this.dataSource.manager).getRepository(AgentVersionEntity).findOneBy({ agentId, version });
  }

  /**
   * Live agents with the snapshot of their current version, in one query: what the config cache
   * holds. With no owner, every agent (a superuser's warm-all).
   */
  async findResolvable(filter: { id?: string; ownerId?: string; limit: number }): Promise<AgentWithSnapshot[]> {
    const qb = this.dataSource
      .getRepository(AgentEntity)
      .createQueryBuilder('a')
      .innerJoin(AgentVersionEntity, 'v', 'v.agentId = a.id AND v.version = a.currentVersion')
      .addSelect('v.snapshot', 'snapshot')
      .where('a.deletedAt IS NULL');
    if (filter.id) qb.andWhere('a.id = :id', { id: filter.id });
    if (filter.ownerId) qb.andWhere('a.ownerId = :ownerId', { ownerId: filter.ownerId });
    const { entities, raw } = await qb.orderBy('a.id', 'DESC').limit(filter.limit).getRawAndEntities<{ snapshot: AgentSnapshot }>();
    return entities.map((agent, i) => ({ agent, snapshot: raw[i].snapshot }));
  }

  /** Account deletion: agents (their versions cascade) go for good, deleted or not. */
  async deleteByOwner(manager: EntityManager, ownerId: string): Promise<string[]> {
    const rows = await returning<{ id: string }>(manager, `DELETE FROM "agent"."agents" WHERE "owner_id" = $1 RETURNING "id"`, [ownerId]);
    return rows.map((r) => r.id);
  }

  /** Agents deleted before `cutoff` go for good (versions cascade), at most `batch` per call. */
  async purgeDeletedBefore(cutoff: Date, batch: number): Promise<number> {
    const rows = await returning<{ id: string }>(
      this.dataSource.manager,
      `DELETE FROM "agent"."agents" WHERE "id" IN (SELECT "id" FROM "agent"."agents" WHERE "deleted_at" < $1 LIMIT $2) RETURNING "id"`,
      [cutoff, batch],
    );
    return rows.length;
  }

  /** A deleted project: its agents move to no project. Returns the moved agents. */
  async leaveProject(manager: EntityManager, ownerId: string, projectId: string): Promise<Array<{ id: string; currentVersion: number }>> {
    const rows = await returning<{ id: string; current_version: number }>(
      manager,
      `UPDATE "agent"."agents" SET "project_id" = NULL, "updated_at" = now() WHERE "owner_id" = $1 AND "project_id" = $2 RETURNING "id", "current_version"`,
      [ownerId, projectId],
    );
    return rows.map((r) => ({ id: r.id, currentVersion: r.current_version }));
  }
}

/** TypeORM answers UPDATE and DELETE ... RETURNING with [rows, affected]; this gives the rows. */
async function returning<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** The columns the app writes, in the order columnValues() gives their values. */
const AGENT_COLUMNS = [
  'id',
  'owner_id',
  'project_id',
  'name',
  'description',
  'icon',
  'color',
  'avatar_url',
  'agent_type',
  'status',
  'model_provider',
  'model_name',
  'system_prompt',
  'qa_who',
  'qa_rules',
  'qa_tricks',
  'tools',
  'knowledge_base_ids',
  'memory',
  'configuration',
  'template_name',
  'is_published',
  'published_version',
  'is_active',
  'current_version',
  'deleted_at',
] as const;

function columnValues(a: Omit<AgentEntity, 'createdAt' | 'updatedAt'>): unknown[] {
  return [
    a.id,
    a.ownerId,
    a.projectId,
    a.name,
    a.description,
    a.icon,
    a.color,
    a.avatarUrl,
    a.agentType,
    a.status,
    a.modelProvider,
    a.modelName,
    a.systemPrompt,
    a.qaWho,
    a.qaRules,
    a.qaTricks,
    JSON.stringify(a.tools),
    a.knowledgeBaseIds,
    JSON.stringify(a.memory),
    JSON.stringify(a.configuration),
    a.templateName,
    a.isPublished,
    a.publishedVersion,
    a.isActive,
    a.currentVersion,
    a.deletedAt,
  ];
}

/** A row of agent.agents as node-postgres returns it. */
interface AgentRow {
  id: string;
  owner_id: string;
  project_id: string | null;
  name: string;
  description: string | null;
  icon: string;
  color: string;
  avatar_url: string | null;
  agent_type: AgentEntity['agentType'];
  status: AgentEntity['status'];
  model_provider: AgentEntity['modelProvider'];
  model_name: string;
  system_prompt: string;
  qa_who: string | null;
  qa_rules: string | null;
  qa_tricks: string | null;
  tools: AgentEntity['tools'];
  knowledge_base_ids: string[];
  memory: AgentEntity['memory'];
  configuration: AgentEntity['configuration'];
  template_name: string | null;
  is_published: boolean;
  published_version: number | null;
  is_active: boolean;
  current_version: number;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function agentFromRow(row: AgentRow): AgentEntity {
  return Object.assign(new AgentEntity(), {
    id: row.id,
    ownerId: row.owner_id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    color: row.color,
    avatarUrl: row.avatar_url,
    agentType: row.agent_type,
    status: row.status,
    modelProvider: row.model_provider,
    modelName: row.model_name,
    systemPrompt: row.system_prompt,
    qaWho: row.qa_who,
    qaRules: row.qa_rules,
    qaTricks: row.qa_tricks,
    tools: row.tools,
    knowledgeBaseIds: row.knowledge_base_ids,
    memory: row.memory,
    configuration: row.configuration,
    templateName: row.template_name,
    isPublished: row.is_published,
    publishedVersion: row.published_version,
    isActive: row.is_active,
    currentVersion: row.current_version,
    deletedAt: row.deleted_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
