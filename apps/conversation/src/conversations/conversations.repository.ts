import { Inject, Injectable } from '@nestjs/common';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { ConversationEntity } from './conversation.entity.js';

export interface ConversationListFilter {
  ownerId: string;
  agentId?: string;
  workflowId?: string;
  projectId?: string;
  archived?: boolean;
  /** Rows strictly after this (activity, id) position in newest-first order. */
  after?: { activity: string; id: string };
  limit: number;
}

/** What a page row carries besides the conversation: its sort key, for the next cursor. */
export interface ConversationPageRow {
  conversation: ConversationEntity;
  activity: string;
}

export interface TotalsDelta {
  messages: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costMicros: number;
}

/**
 * All SQL of the conversations table. Plain SQL: the reads here sit on every message route, and
 * the query builder's planning and hydration cost more CPU than the statements.
 */
@Injectable()
export class ConversationsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** A conversation of this owner, live or deleted as asked, or null: another owner's is not found. */
  async findOwned(ownerId: string, id: string, options: { deleted: boolean } = { deleted: false }, manager?: EntityManager): Promise<ConversationEntity | null> {
    const rows: ConversationRow[] = await (manager ?? this.dataSource.manager).query(
      `SELECT * FROM "conversation"."conversations" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS ${options.deleted ? 'NOT NULL' : 'NULL'}`,
      [id, ownerId],
    );
    return rows.length === 0 ? null : conversationFromRow(rows[0]);
  }

  /** Locks the row so message writes of one conversation (totals, current leaf) run one after another. */
  async lockOwned(manager: EntityManager, ownerId: string, id: string, options: { deleted: boolean } = { deleted: false }): Promise<ConversationEntity | null> {
    const rows: ConversationRow[] = await manager.query(
      `SELECT * FROM "conversation"."conversations" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS ${options.deleted ? 'NOT NULL' : 'NULL'} FOR UPDATE`,
      [id, ownerId],
    );
    return rows.length === 0 ? null : conversationFromRow(rows[0]);
  }

  async insert(manager: EntityManager, c: Omit<ConversationEntity, 'id' | 'createdAt' | 'updatedAt' | 'assignId'>): Promise<ConversationEntity> {
    const rows: ConversationRow[] = await manager.query(
      `INSERT INTO "conversation"."conversations"
         ("id", "owner_id", "agent_id", "workflow_id", "project_id", "title", "session_id", "session_context", "metadata", "is_archived")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [newId(), c.ownerId, c.agentId, c.workflowId, c.projectId, c.title, c.sessionId, JSON.stringify(c.sessionContext), JSON.stringify(c.metadata), c.isArchived],
    );
    return conversationFromRow(rows[0]);
  }

  /** Writes the fields a user may change, and the soft-delete mark. */
  async save(manager: EntityManager, c: ConversationEntity): Promise<ConversationEntity> {
    const rows = await returning<ConversationRow>(
      manager,
      `UPDATE "conversation"."conversations"
         SET "title" = $2, "is_archived" = $3, "session_context" = $4, "metadata" = $5, "deleted_at" = $6, "current_leaf_id" = $7, "updated_at" = now()
       WHERE "id" = $1 RETURNING *`,
      [c.id, c.title, c.isArchived, JSON.stringify(c.sessionContext), JSON.stringify(c.metadata), c.deletedAt, c.currentLeafId],
    );
    return conversationFromRow(rows[0]);
  }

  /**
   * What a message write changes on its conversation, in the writer's transaction: totals, the
   * leaf shown, the activity time, and the title when none was set yet.
   */
  async recordMessages(manager: EntityManager, id: string, change: { leafId: string | null; delta: TotalsDelta; at: Date | null; title: string | null }): Promise<void> {
    await manager.query(
      `UPDATE "conversation"."conversations"
         SET "current_leaf_id" = $2,
             "message_count" = "message_count" + $3,
             "prompt_tokens" = "prompt_tokens" + $4,
             "completion_tokens" = "completion_tokens" + $5,
             "total_tokens" = "total_tokens" + $6,
             "cost_micros" = "cost_micros" + $7,
             "last_message_at" = GREATEST("last_message_at", $8::timestamptz),
             "title" = COALESCE("title", $9),
             "updated_at" = now()
       WHERE "id" = $1`,
      [id, change.leafId, change.delta.messages, change.delta.promptTokens, change.delta.completionTokens, change.delta.totalTokens, change.delta.costMicros, change.at, change.title],
    );
  }

  async list(filter: ConversationListFilter): Promise<ConversationPageRow[]> {
    const where = [`"owner_id" = $1`, `"deleted_at" IS NULL`];
    const params: unknown[] = [filter.ownerId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.agentId) add(`"agent_id" = ?`, filter.agentId);
    if (filter.workflowId) add(`"workflow_id" = ?`, filter.workflowId);
    if (filter.projectId) add(`"project_id" = ?`, filter.projectId);
    if (filter.archived !== undefined) add(`"is_archived" = ?`, filter.archived);
    if (filter.after) {
      params.push(filter.after.activity, filter.after.id);
      where.push(`(COALESCE("last_message_at", "created_at"), "id") < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    const rows: Array<ConversationRow & { activity: string }> = await this.dataSource.query(
      `SELECT *, COALESCE("last_message_at", "created_at")::text AS "activity" FROM "conversation"."conversations"
       WHERE ${where.join(' AND ')}
       ORDER BY COALESCE("last_message_at", "created_at") DESC, "id" DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({ conversation: conversationFromRow(row), activity: row.activity }));
  }

  /** agent.deleted: the agent's conversations stay readable, filed as archived. */
  async archiveByAgent(manager: EntityManager, ownerId: string, agentId: string): Promise<number> {
    const rows = await returning<{ id: string }>(
      manager,
      `UPDATE "conversation"."conversations" SET "is_archived" = true, "updated_at" = now()
       WHERE "owner_id" = $1 AND "agent_id" = $2 AND "is_archived" = false RETURNING "id"`,
      [ownerId, agentId],
    );
    return rows.length;
  }

  /** Account deletion: every conversation of the user goes (messages, summaries, attachment rows cascade). */
  async deleteByOwner(manager: EntityManager, ownerId: string): Promise<void> {
    await manager.query(`DELETE FROM "conversation"."conversations" WHERE "owner_id" = $1`, [ownerId]);
  }

  /** Conversations deleted before the cutoff go for good; returns their attachment storage keys. */
  async purgeDeleted(manager: EntityManager, before: Date): Promise<{ conversations: number; storageKeys: string[] }> {
    const keys: Array<{ storage_key: string }> = await manager.query(
      `SELECT a."storage_key" FROM "conversation"."attachments" a
       JOIN "conversation"."conversations" c ON c."id" = a."conversation_id"
       WHERE c."deleted_at" < $1`,
      [before],
    );
    const rows = await returning<{ id: string }>(manager, `DELETE FROM "conversation"."conversations" WHERE "deleted_at" < $1 RETURNING "id"`, [before]);
    return { conversations: rows.length, storageKeys: keys.map((k) => k.storage_key) };
  }
}

/** TypeORM answers UPDATE and DELETE ... RETURNING with [rows, affected]; this gives the rows. */
export async function returning<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** A row of conversation.conversations as node-postgres returns it (bigint comes back as text). */
interface ConversationRow {
  id: string;
  owner_id: string;
  agent_id: string | null;
  workflow_id: string | null;
  project_id: string | null;
  title: string | null;
  session_id: string | null;
  session_context: Record<string, unknown>;
  metadata: Record<string, unknown>;
  is_archived: boolean;
  current_leaf_id: string | null;
  last_message_at: Date | null;
  message_count: number;
  prompt_tokens: string;
  completion_tokens: string;
  total_tokens: string;
  cost_micros: string;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function conversationFromRow(row: ConversationRow): ConversationEntity {
  return Object.assign(new ConversationEntity(), {
    id: row.id,
    ownerId: row.owner_id,
    agentId: row.agent_id,
    workflowId: row.workflow_id,
    projectId: row.project_id,
    title: row.title,
    sessionId: row.session_id,
    sessionContext: row.session_context,
    metadata: row.metadata,
    isArchived: row.is_archived,
    currentLeafId: row.current_leaf_id,
    lastMessageAt: row.last_message_at,
    messageCount: row.message_count,
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    totalTokens: Number(row.total_tokens),
    costMicros: Number(row.cost_micros),
    deletedAt: row.deleted_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
