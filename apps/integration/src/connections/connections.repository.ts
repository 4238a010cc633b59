import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { IsNull, LessThan, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';
import { ConnectionEntity } from './connection.entity.js';
import { OAuthStateEntity } from './oauth-state.entity.js';

@Injectable()
export class ConnectionsRepository {
  constructor(private readonly database: Database) {}

  private get connections() {
    return this.database.repository(ConnectionEntity);
  }

  private get states() {
    return this.database.repository(OAuthStateEntity);
  }

  findOwned(ownerId: string, id: string): Promise<ConnectionEntity | null> {
    return this.connections.findOneBy({ id, ownerId });
  }

  findById(id: string): Promise<ConnectionEntity | null> {
    return this.connections.findOneBy({ id });
  }

  /** The account of (owner, agent, provider, email), or null. */
  findAccount(ownerId: string, agentId: string | null, provider: string, accountEmail: string | null): Promise<ConnectionEntity | null> {
    return this.connections.findOneBy({ ownerId, agentId: agentId ?? IsNull(), provider, accountEmail: accountEmail ?? IsNull() });
  }

  /** The owner's connected accounts of a provider: the agent's own first, then the ones for every agent. */
  async usable(ownerId: string, agentId: string | null, provider: string): Promise<ConnectionEntity[]> {
    const where: Array<FindOptionsWhere<ConnectionEntity>> = [{ ownerId, provider, agentId: IsNull(), status: 'connected' }];
    if (agentId) where.unshift({ ownerId, provider, agentId, status: 'connected' });
    const rows = await this.connections.find({ where, order: { id: 'DESC' } });
    return rows.sort((a, b) => Number(b.agentId !== null) - Number(a.agentId !== null));
  }

  list(ownerId: string, limit: number, beforeId?: string, provider?: string): Promise<ConnectionEntity[]> {
    const where: FindOptionsWhere<ConnectionEntity> = { ownerId };
    if (beforeId) where.id = LessThan(beforeId);
    if (provider) where.provider = provider;
    return this.connections.find({ where, order: { id: 'DESC' }, take: limit });
  }

  async insert(connection: ConnectionEntity): Promise<ConnectionEntity> {
    await this.connections.insert(connection as QueryDeepPartialEntity<ConnectionEntity>);
    return (await this.connections.findOneBy({ id: connection.id })) as ConnectionEntity;
  }

  async save(connection: ConnectionEntity): Promise<ConnectionEntity> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...columns } = connection;
    await this.connections.update({ id }, { ...columns, updatedAt: new Date() } as QueryDeepPartialEntity<ConnectionEntity>);
    return (await this.connections.findOneBy({ id })) as ConnectionEntity;
  }

  async delete(ownerId: string, id: string): Promise<void> {
    await this.connections.delete({ id, ownerId });
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.connections.delete({ ownerId });
    await this.states.delete({ ownerId });
  }

  /**
   * Plain SQL (SKIP LOCKED and a lease in one statement): takes connected connections due a
   * refresh (or one of them by id) whose lease is free, leasing each for `leaseMs`. A connection
   * another replica holds is not returned, so a grant is refreshed once, whoever asks.
   */
  claimRefresh(leaseMs: number, limit: number, id?: string): Promise<ConnectionEntity[]> {
    return this.database.rows(
      ConnectionEntity,
      `UPDATE "integration"."connections" SET "refresh_lease_until" = now() + $1 * interval '1 millisecond'
       WHERE "id" IN (
         SELECT "id" FROM "integration"."connections"
         WHERE "status" = 'connected' AND ("refresh_lease_until" IS NULL OR "refresh_lease_until" < now())
           AND (($3::uuid IS NULL AND "refresh_due_at" <= now()) OR "id" = $3::uuid)
         ORDER BY "refresh_due_at" LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [leaseMs, limit, id ?? null],
    );
  }

  /** Frees a lease this replica took without refreshing. */
  async releaseLease(id: string): Promise<ConnectionEntity> {
    await this.connections.update({ id }, { refreshLeaseUntil: null });
    return (await this.connections.findOneBy({ id })) as ConnectionEntity;
  }

  async insertState(state: OAuthStateEntity): Promise<void> {
    await this.states.insert(state);
  }

  /**
   * Plain SQL (DELETE ... RETURNING): takes a state once; a second callback with it finds nothing.
   */
  async takeState(stateHash: string): Promise<OAuthStateEntity | null> {
    const [row] = await this.database.rows(OAuthStateEntity, `DELETE FROM "integration"."oauth_states" WHERE "state_hash" = $1 RETURNING *`, [stateHash]);
    return row ?? null;
  }

  async deleteExpiredStates(): Promise<void> {
    await this.states.delete({ expiresAt: LessThan(new Date()) });
  }
}
