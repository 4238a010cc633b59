import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { In, LessThan, type FindOptionsWhere } from 'typeorm';
import { KnowledgeBaseEntity } from './knowledge-base.entity.js';

@Injectable()
export class KnowledgeBasesRepository {
  constructor(private readonly database: Database) {}

  private get bases() {
    return this.database.repository(KnowledgeBaseEntity);
  }

  async insert(base: KnowledgeBaseEntity): Promise<KnowledgeBaseEntity> {
    await this.bases.insert(base);
    return base;
  }

  /** The owner's base, or null: another owner's base is not found. */
  findOwned(ownerId: string, id: string): Promise<KnowledgeBaseEntity | null> {
    return this.bases.findOneBy({ id, ownerId });
  }

  findOwnedMany(ownerId: string, ids: string[]): Promise<KnowledgeBaseEntity[]> {
    return this.bases.findBy({ id: In(ids), ownerId });
  }

  findById(id: string): Promise<KnowledgeBaseEntity | null> {
    return this.bases.findOneBy({ id });
  }

  /** Locks the base for the rest of the transaction (changes of one base run one after the other). */
  lockOwned(ownerId: string, id: string): Promise<KnowledgeBaseEntity | null> {
    return this.bases.findOne({ where: { id, ownerId }, lock: { mode: 'pessimistic_write' } });
  }

  lock(id: string): Promise<KnowledgeBaseEntity | null> {
    return this.bases.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  list(filter: { ownerId: string; projectId?: string; beforeId?: string; limit: number }): Promise<KnowledgeBaseEntity[]> {
    const where: FindOptionsWhere<KnowledgeBaseEntity> = { ownerId: filter.ownerId };
    if (filter.projectId) where.projectId = filter.projectId;
    if (filter.beforeId) where.id = LessThan(filter.beforeId);
    return this.bases.find({ where, order: { id: 'DESC' }, take: filter.limit });
  }

  async save(base: KnowledgeBaseEntity): Promise<void> {
    base.updatedAt = new Date();
    const { id, createdAt: _createdAt, ...columns } = base;
    await this.bases.update({ id }, columns);
  }

  /** Documents, chunks and vectors cascade. */
  async delete(id: string): Promise<void> {
    await this.bases.delete({ id });
  }

  /** Plain SQL: DELETE ... RETURNING says in one statement exactly which rows went. */
  async deleteWhere(ownerId: string, projectId?: string): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(
      projectId === undefined
        ? `DELETE FROM "agent"."knowledge_bases" WHERE "owner_id" = $1 RETURNING "id"`
        : `DELETE FROM "agent"."knowledge_bases" WHERE "owner_id" = $1 AND "project_id" = $2 RETURNING "id"`,
      projectId === undefined ? [ownerId] : [ownerId, projectId],
    );
    return rows.map((r) => r.id);
  }

  /** The set of searchable vectors of the base changed. Plain SQL: an increment in place. */
  async bumpIndexVersion(id: string): Promise<void> {
    await this.database.query(`UPDATE "agent"."knowledge_bases" SET "index_version" = "index_version" + 1 WHERE "id" = $1`, [id]);
  }

  /**
   * Claims a base being re-embedded whose lease is free or ran out, for `leaseSeconds`. Plain SQL:
   * FOR UPDATE SKIP LOCKED lets several replicas claim different bases without waiting.
   */
  claimReembedding(worker: string, leaseSeconds: number): Promise<KnowledgeBaseEntity | null> {
    return this.database.row(
      KnowledgeBaseEntity,
      `UPDATE "agent"."knowledge_bases" SET "lease_owner" = $1, "lease_expires_at" = now() + make_interval(secs => $2)
       WHERE "id" = (
         SELECT "id" FROM "agent"."knowledge_bases"
         WHERE "search_generation" < "embedding_generation" AND ("lease_expires_at" IS NULL OR "lease_expires_at" < now())
         ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED
       ) RETURNING *`,
      [worker, leaseSeconds],
    );
  }

  /** Extends a lease this worker still holds; false when it lost it. */
  async extendLease(id: string, worker: string, leaseSeconds: number): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE "agent"."knowledge_bases" SET "lease_expires_at" = now() + make_interval(secs => $3) WHERE "id" = $1 AND "lease_owner" = $2 RETURNING "id"`,
      [id, worker, leaseSeconds],
    );
    return rows.length > 0;
  }
}
