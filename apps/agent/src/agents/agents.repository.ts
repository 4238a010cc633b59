import { Injectable } from '@nestjs/common';
import type { AgentSnapshot, AgentStatus, AgentType } from '#contracts';
import type { OutboxRow } from '#messaging';
import { Database } from '#persistence';
import { ILike, In, IsNull, LessThan, MoreThanOrEqual, Not, type FindOptionsWhere } from 'typeorm';
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

/** A live agent with the snapshot of its current version: what the config cache keeps. */
export interface ResolvableAgent {
  agent: AgentEntity;
  snapshot: AgentSnapshot;
}

@Injectable()
export class AgentsRepository {
  constructor(private readonly database: Database) {}

  private get agents() {
    return this.database.repository(AgentEntity);
  }

  private get versions() {
    return this.database.repository(AgentVersionEntity);
  }

  /**
   * A live (not deleted) agent of this owner, or null: another owner's agent is not found.
   * Plain SQL because the bench shows it pays: this is the hot read (GET /agents/:id).
   */
  findOwned(ownerId: string, id: string): Promise<AgentEntity | null> {
    return this.database.row(AgentEntity, `SELECT * FROM "agent"."agents" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS NULL`, [id, ownerId]);
  }

  /**
   * Locks the agent row for the rest of the transaction, so concurrent changes of one agent run
   * one after the other and each sees the version the previous one wrote.
   */
  lockOwned(ownerId: string, id: string, options: { deleted: boolean }): Promise<AgentEntity | null> {
    return this.agents.findOne({ where: { id, ownerId, deletedAt: options.deleted ? Not(IsNull()) : IsNull() }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * The agent, its first version and its created event in one statement, which is atomic without
   * a transaction around it. Plain SQL because the bench shows it pays (POST /agents): the
   * repository API would take a statement per row, and BEGIN/COMMIT two more round trips.
   */
  async insert(agent: AgentEntity, firstVersion: AgentVersionEntity, event: OutboxRow): Promise<AgentEntity> {
    const a = this.database.columnsOf(AgentEntity, agent);
    const v = this.database.columnsOf(AgentVersionEntity, firstVersion);
    const e = a.params.length + v.params.length;
    const [saved] = await this.database.rows(
      AgentEntity,
      `WITH "a" AS (
         INSERT INTO ${a.table} (${a.columns.join(', ')}) VALUES (${placeholders(0, a.params.length)}) RETURNING *
       ), "v" AS (
         INSERT INTO ${v.table} (${v.columns.join(', ')}) SELECT ${placeholders(a.params.length, v.params.length)} FROM "a"
       ), "e" AS (
         INSERT INTO ${event.table} ("id", "subject", "envelope") SELECT ${placeholders(e, 3)} FROM "a"
       )
       SELECT * FROM "a"`,
      [...a.params, ...v.params, event.id, event.subject, event.envelope],
    );
    return saved;
  }

  /** Writes every column of a locked agent back, with a new updated_at. */
  async save(agent: AgentEntity): Promise<void> {
    agent.updatedAt = new Date();
    const { id, createdAt: _createdAt, ...columns } = agent;
    await this.agents.update({ id }, columns);
  }

  async insertVersion(version: AgentVersionEntity): Promise<void> {
    await this.versions.insert(version);
  }

  list(filter: AgentListFilter): Promise<AgentEntity[]> {
    const where: FindOptionsWhere<AgentEntity> = {
      ownerId: filter.ownerId,
      deletedAt: filter.deletedSince ? MoreThanOrEqual(filter.deletedSince) : IsNull(),
    };
    if (filter.projectId) where.projectId = filter.projectId;
    if (filter.agentType) where.agentType = filter.agentType;
    if (filter.status) where.status = filter.status;
    // Backslash is PostgreSQL's default LIKE escape: the user's text matches literally.
    if (filter.nameContains) where.name = ILike(`%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filter.beforeId) where.id = LessThan(filter.beforeId);
    return this.agents.find({ where, order: { id: 'DESC' }, take: filter.limit });
  }

  listVersions(agentId: string): Promise<AgentVersionEntity[]> {
    return this.versions.find({ where: { agentId }, order: { version: 'ASC' } });
  }

  findVersion(agentId: string, version: number): Promise<AgentVersionEntity | null> {
    return this.versions.findOneBy({ agentId, version });
  }

  /**
   * Live agents with the snapshot of their current version, in one query: what the config cache
   * holds. With no owner, every agent (a superuser's warm-all). Plain SQL: the repository API
   * cannot join on the agent's current version (a condition between two columns).
   */
  async findResolvable(filter: { id?: string; ownerId?: string; limit: number }): Promise<ResolvableAgent[]> {
    const params: unknown[] = [];
    const where = ['a."deleted_at" IS NULL'];
    if (filter.id) where.push(`a."id" = $${params.push(filter.id)}`);
    if (filter.ownerId) where.push(`a."owner_id" = $${params.push(filter.ownerId)}`);
    const rows = await this.database.query<Record<string, unknown> & { current_snapshot: AgentSnapshot }>(
      `SELECT a.*, v."snapshot" AS "current_snapshot"
       FROM "agent"."agents" a JOIN "agent"."agent_versions" v ON v."agent_id" = a."id" AND v."version" = a."current_version"
       WHERE ${where.join(' AND ')} ORDER BY a."id" DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map((row) => ({ agent: this.database.hydrate(AgentEntity, row), snapshot: row.current_snapshot }));
  }

  /**
   * Account deletion: agents (their versions cascade) go for good, deleted or not; answers which.
   * Plain SQL: DELETE ... RETURNING says in one statement exactly which rows went.
   */
  async deleteByOwner(ownerId: string): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(`DELETE FROM "agent"."agents" WHERE "owner_id" = $1 RETURNING "id"`, [ownerId]);
    return rows.map((r) => r.id);
  }

  /** Agents deleted before `cutoff` go for good (versions cascade), at most `batch` per call. */
  async purgeDeletedBefore(cutoff: Date, batch: number): Promise<number> {
    const expired = await this.agents.find({ select: { id: true }, where: { deletedAt: LessThan(cutoff) }, take: batch });
    if (expired.length === 0) return 0;
    const result = await this.agents.delete({ id: In(expired.map((a) => a.id)) });
    return result.affected ?? 0;
  }

  /** A deleted project: its agents move to no project. Answers the moved agents. */
  async leaveProject(ownerId: string, projectId: string): Promise<Array<Pick<AgentEntity, 'id' | 'currentVersion'>>> {
    const moved = await this.agents.find({ select: { id: true, currentVersion: true }, where: { ownerId, projectId }, lock: { mode: 'pessimistic_write' } });
    if (moved.length > 0) await this.agents.update({ id: In(moved.map((a) => a.id)) }, { projectId: null });
    return moved;
  }
}

/** `$n+1, $n+2, ...`: `count` parameters after the first `after`. */
function placeholders(after: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${after + i + 1}`).join(', ');
}
