import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { In, LessThan, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';

import { McpServerCredentialEntity } from './mcp-server-credential.entity.js';
import { McpServerStatusEntity } from './mcp-server-status.entity.js';
import { McpServerEntity } from './mcp-server.entity.js';

@Injectable()
export class McpServersRepository {
  constructor(private readonly database: Database) {}

  private get servers() {
    return this.database.repository(McpServerEntity);
  }

  /** A server the user may use: their own, or a shared one. Another user's private server is not found. */
  findVisible(ownerId: string, id: string): Promise<McpServerEntity | null> {
    return this.servers.findOne({ where: [{ id, ownerId }, { id, isShared: true }] });
  }

  findVisibleIn(ownerId: string, ids: string[]): Promise<McpServerEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.servers.find({ where: [{ id: In(ids), ownerId }, { id: In(ids), isShared: true }] });
  }

  /** Enabled servers counted by their last health check, every state present (0 when none), for /metrics. */
  async countEnabledByHealth(): Promise<Array<{ health: string; count: number }>> {
    const states = ['healthy', 'unhealthy', 'unknown'] as const;
    const counts = await Promise.all(states.map((healthStatus) => this.servers.countBy({ isEnabled: true, healthStatus })));
    return states.map((health, i) => ({ health, count: counts[i] }));
  }

  findById(id: string): Promise<McpServerEntity | null> {
    return this.servers.findOneBy({ id });
  }

  /** The user's servers and the shared ones, newest first. */
  listVisible(ownerId: string, limit: number, beforeId?: string, projectId?: string): Promise<McpServerEntity[]> {
    const common: FindOptionsWhere<McpServerEntity> = {};
    if (beforeId) common.id = LessThan(beforeId);
    if (projectId) common.projectId = projectId;
    return this.servers.find({ where: [{ ...common, ownerId }, { ...common, isShared: true }], order: { id: 'DESC' }, take: limit });
  }

  async insert(server: McpServerEntity): Promise<McpServerEntity> {
    await this.servers.insert(server as QueryDeepPartialEntity<McpServerEntity>);
    return (await this.servers.findOneBy({ id: server.id })) as McpServerEntity;
  }

  async save(server: McpServerEntity): Promise<McpServerEntity> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...columns } = server;
    await this.servers.update({ id }, { ...columns, updatedAt: new Date() } as QueryDeepPartialEntity<McpServerEntity>);
    return (await this.servers.findOneBy({ id })) as McpServerEntity;
  }

  async saveTools(id: string, tools: McpServerEntity['tools']): Promise<void> {
    await this.servers.update({ id }, { tools, toolsDiscoveredAt: new Date() } as QueryDeepPartialEntity<McpServerEntity>);
  }

  async delete(ownerId: string, id: string): Promise<boolean> {
    return ((await this.servers.delete({ id, ownerId })).affected ?? 0) > 0;
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.servers.delete({ ownerId });
    await this.database.repository(McpServerCredentialEntity).delete({ ownerId });
  }

  findCredentials(serverId: string, ownerId: string): Promise<McpServerCredentialEntity | null> {
    return this.database.repository(McpServerCredentialEntity).findOneBy({ serverId, ownerId });
  }

  async upsertCredentials(row: McpServerCredentialEntity): Promise<void> {
    await this.database.repository(McpServerCredentialEntity).upsert(row, { conflictPaths: ['serverId', 'ownerId'] });
  }

  async insertStatus(status: McpServerStatusEntity): Promise<void> {
    await this.database.repository(McpServerStatusEntity).insert(status);
  }

  history(serverId: string, limit: number): Promise<McpServerStatusEntity[]> {
    return this.database.repository(McpServerStatusEntity).find({ where: { serverId }, order: { checkedAt: 'DESC' }, take: limit });
  }

  /**
   * Plain SQL (SKIP LOCKED): claims enabled servers whose last check is older than `intervalMs`
   * by stamping them checked now, so replicas share the schedule and never check one server twice.
   */
  claimDueChecks(intervalMs: number, limit: number): Promise<McpServerEntity[]> {
    return this.database.rows(
      McpServerEntity,
      `UPDATE "integration"."mcp_servers" SET "last_checked_at" = now()
       WHERE "id" IN (
         SELECT "id" FROM "integration"."mcp_servers"
         WHERE "is_enabled" AND ("last_checked_at" IS NULL OR "last_checked_at" < now() - $1 * interval '1 millisecond')
         ORDER BY "last_checked_at" NULLS FIRST LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [intervalMs, limit],
    );
  }
}
