import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { LessThan, type FindOptionsWhere } from 'typeorm';
import { DocumentEntity } from './document.entity.js';

@Injectable()
export class DocumentsRepository {
  constructor(private readonly database: Database) {}

  private get documents() {
    return this.database.repository(DocumentEntity);
  }

  /** Inserts the document unless the base already has one with this text; answers the new row, or null. Plain SQL: ON CONFLICT DO NOTHING. */
  async insertUnlessKnown(document: DocumentEntity): Promise<DocumentEntity | null> {
    const { table, columns, params } = this.database.columnsOf(DocumentEntity, document);
    return this.database.row(
      DocumentEntity,
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT ON CONSTRAINT "documents_knowledge_base_id_content_hash_uq" DO NOTHING RETURNING *`,
      params,
    );
  }

  findByHash(knowledgeBaseId: string, contentHash: string): Promise<DocumentEntity | null> {
    return this.documents.findOneBy({ knowledgeBaseId, contentHash });
  }

  findOwned(ownerId: string, id: string): Promise<DocumentEntity | null> {
    return this.documents.findOneBy({ id, ownerId });
  }

  findById(id: string): Promise<DocumentEntity | null> {
    return this.documents.findOneBy({ id });
  }

  lockOwned(ownerId: string, id: string): Promise<DocumentEntity | null> {
    return this.documents.findOne({ where: { id, ownerId }, lock: { mode: 'pessimistic_write' } });
  }

  list(filter: { knowledgeBaseId: string; beforeId?: string; limit: number }): Promise<DocumentEntity[]> {
    const where: FindOptionsWhere<DocumentEntity> = { knowledgeBaseId: filter.knowledgeBaseId };
    if (filter.beforeId) where.id = LessThan(filter.beforeId);
    return this.documents.find({ where, order: { id: 'DESC' }, take: filter.limit });
  }

  async delete(id: string): Promise<void> {
    await this.documents.delete({ id });
  }

  /**
   * Claims the oldest document still to do whose lease is free or ran out (its worker died), for
   * `leaseSeconds`. Plain SQL: FOR UPDATE SKIP LOCKED lets replicas claim different documents.
   */
  claimNext(worker: string, leaseSeconds: number): Promise<DocumentEntity | null> {
    return this.database.row(
      DocumentEntity,
      `UPDATE "agent"."documents" SET "status" = 'processing', "lease_owner" = $1, "lease_expires_at" = now() + make_interval(secs => $2), "updated_at" = now()
       WHERE "id" = (
         SELECT "id" FROM "agent"."documents"
         WHERE "status" IN ('pending', 'processing') AND ("lease_expires_at" IS NULL OR "lease_expires_at" < now())
         ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED
       ) RETURNING *`,
      [worker, leaseSeconds],
    );
  }

  /** Progress and a longer lease, only while this worker holds the document; false when it lost it. */
  async heartbeat(id: string, worker: string, leaseSeconds: number, progress: { done: number; total: number }): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE "agent"."documents" SET "lease_expires_at" = now() + make_interval(secs => $3), "chunks_done" = $4, "chunks_total" = $5, "updated_at" = now()
       WHERE "id" = $1 AND "lease_owner" = $2 AND "status" = 'processing' RETURNING "id"`,
      [id, worker, leaseSeconds, progress.done, progress.total],
    );
    return rows.length > 0;
  }

  /** Ends this worker's claim: ready, failed, or back to pending for a later attempt. False when it had lost it. */
  async finish(id: string, worker: string, outcome: { status: 'ready' | 'failed' | 'pending'; error: string | null; attempts: number }): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE "agent"."documents" SET "status" = $3, "error" = $4, "attempts" = $5, "lease_owner" = NULL, "lease_expires_at" = NULL, "updated_at" = now()
       WHERE "id" = $1 AND "lease_owner" = $2 AND "status" = 'processing' RETURNING "id"`,
      [id, worker, outcome.status, outcome.error, outcome.attempts],
    );
    return rows.length > 0;
  }
}
