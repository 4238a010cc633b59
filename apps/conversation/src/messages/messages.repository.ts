import { Inject, Injectable } from '@nestjs/common';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { returning, type TotalsDelta } from '../conversations/conversations.repository.js';
import { MessageEntity } from './message.entity.js';

export type NewMessage = Omit<MessageEntity, 'id' | 'createdAt' | 'updatedAt' | 'assignId' | 'deletedAt'>;

export interface TreeRow {
  id: string;
  parentId: string | null;
  role: MessageEntity['role'];
  preview: string;
  createdAt: Date;
}

/** All SQL of the messages table; the tree walks are recursive CTEs over indexed columns. */
@Injectable()
export class MessagesRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** A message of this owner (live or deleted as asked), or null. */
  async findOwned(ownerId: string, id: string, options: { deleted: boolean } = { deleted: false }, manager?: EntityManager): Promise<MessageEntity | null> {
    const rows: MessageRow[] = await (manager ?? this.dataSource.manager).query(
      `SELECT ${MESSAGE_COLUMNS} FROM "conversation"."messages" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS ${options.deleted ? 'NOT NULL' : 'NULL'}`,
      [id, ownerId],
    );
    return rows.length === 0 ? null : messageFromRow(rows[0]);
  }

  /** A live message of one conversation, or null (another conversation's message is not found). */
  async findInConversation(manager: EntityManager, conversationId: string, id: string): Promise<MessageEntity | null> {
    const rows: MessageRow[] = await manager.query(`SELECT ${MESSAGE_COLUMNS} FROM "conversation"."messages" WHERE "id" = $1 AND "conversation_id" = $2 AND "deleted_at" IS NULL`, [
      id,
      conversationId,
    ]);
    return rows.length === 0 ? null : messageFromRow(rows[0]);
  }

  /** Null when a run already wrote this (runId, step): the unique index makes retries harmless. */
  async insert(manager: EntityManager, m: NewMessage): Promise<MessageEntity | null> {
    const rows: MessageRow[] = await manager.query(
      `INSERT INTO "conversation"."messages"
         ("id", "conversation_id", "owner_id", "agent_id", "parent_id", "role", "content", "tool_calls", "tool_call_id", "run_id", "step", "model", "token_usage", "cost_micros", "metadata")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT ("run_id", "step") WHERE "run_id" IS NOT NULL DO NOTHING
       RETURNING ${MESSAGE_COLUMNS}`,
      [
        newId(),
        m.conversationId,
        m.ownerId,
        m.agentId,
        m.parentId,
        m.role,
        m.content,
        m.toolCalls === null ? null : JSON.stringify(m.toolCalls),
        m.toolCallId,
        m.runId,
        m.step,
        m.model,
        m.tokenUsage === null ? null : JSON.stringify(m.tokenUsage),
        m.costMicros,
        JSON.stringify(m.metadata),
      ],
    );
    return rows.length === 0 ? null : messageFromRow(rows[0]);
  }

  /** The message a run already wrote for this step, if any (a retried write). */
  async findByRunStep(manager: EntityManager, runId: string, step: number): Promise<MessageEntity | null> {
    const rows: MessageRow[] = await manager.query(`SELECT ${MESSAGE_COLUMNS} FROM "conversation"."messages" WHERE "run_id" = $1 AND "step" = $2`, [runId, step]);
    return rows.length === 0 ? null : messageFromRow(rows[0]);
  }

  /**
   * The branch ending at a leaf, root first: a walk up the parent links, one primary-key lookup
   * per message, so its cost grows with the branch, not with the conversation.
   */
  async branch(conversationId: string, leafId: string, manager?: EntityManager): Promise<MessageEntity[]> {
    const rows: MessageRow[] = await (manager ?? this.dataSource.manager).query(
      `WITH RECURSIVE "up" AS (
         SELECT m."id", m."parent_id", 0 AS "depth" FROM "conversation"."messages" m WHERE m."id" = $1 AND m."conversation_id" = $2
         UNION ALL
         SELECT p."id", p."parent_id", "up"."depth" + 1 FROM "conversation"."messages" p JOIN "up" ON p."id" = "up"."parent_id"
       )
       SELECT ${MESSAGE_COLUMNS.replace(/"(\w+)"/g, 'm."$1"')} FROM "up" JOIN "conversation"."messages" m ON m."id" = "up"."id"
       WHERE m."deleted_at" IS NULL
       ORDER BY "up"."depth" DESC`,
      [leafId, conversationId],
    );
    return rows.map(messageFromRow);
  }

  /**
   * One page of a branch, leaf first: at most `limit` + 1 messages walking up from `startId` (the
   * extra one says whether there is more), each with the running size of the content so far, so
   * the caller can stop before a reply outgrows a bus message.
   */
  async branchPage(conversationId: string, startId: string, limit: number): Promise<Array<{ message: MessageEntity; runningBytes: number }>> {
    const rows: Array<MessageRow & { running_bytes: string }> = await this.dataSource.query(
      `WITH RECURSIVE "up" AS (
         SELECT m."id", m."parent_id", 0 AS "depth" FROM "conversation"."messages" m WHERE m."id" = $1 AND m."conversation_id" = $2
         UNION ALL
         SELECT p."id", p."parent_id", "up"."depth" + 1 FROM "conversation"."messages" p JOIN "up" ON p."id" = "up"."parent_id" WHERE "up"."depth" < $3
       )
       SELECT ${MESSAGE_COLUMNS.replace(/"(\w+)"/g, 'm."$1"')},
              sum(octet_length(m."content") + coalesce(octet_length(m."tool_calls"::text), 0)) OVER (ORDER BY "up"."depth") AS "running_bytes"
       FROM "up" JOIN "conversation"."messages" m ON m."id" = "up"."id"
       WHERE m."deleted_at" IS NULL
       ORDER BY "up"."depth"`,
      [startId, conversationId, limit],
    );
    return rows.map((row) => ({ message: messageFromRow(row), runningBytes: Number(row.running_bytes) }));
  }

  /** Every live message of a conversation, compactly, oldest first. */
  async tree(conversationId: string): Promise<TreeRow[]> {
    const rows: Array<{ id: string; parent_id: string | null; role: MessageEntity['role']; preview: string; created_at: Date }> = await this.dataSource.query(
      `SELECT "id", "parent_id", "role", left("content", 80) AS "preview", "created_at" FROM "conversation"."messages"
       WHERE "conversation_id" = $1 AND "deleted_at" IS NULL ORDER BY "id"`,
      [conversationId],
    );
    return rows.map((r) => ({ id: r.id, parentId: r.parent_id, role: r.role, preview: r.preview, createdAt: r.created_at }));
  }

  /**
   * The newest live message at or below one: ids are time-ordered and children are written after
   * their parents, so the newest message of a subtree has no children, i.e. it is a leaf.
   */
  async newestLeafUnder(manager: EntityManager, id: string): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      `WITH RECURSIVE "down" AS (
         SELECT "id" FROM "conversation"."messages" WHERE "id" = $1
         UNION ALL
         SELECT c."id" FROM "conversation"."messages" c JOIN "down" ON c."parent_id" = "down"."id" WHERE c."deleted_at" IS NULL
       )
       SELECT max("id"::text)::uuid AS "id" FROM "down"`,
      [id],
    );
    return rows[0].id;
  }

  /** The newest live message of a conversation (a leaf, for the same reason), or null. */
  async newestLive(manager: EntityManager, conversationId: string): Promise<string | null> {
    const rows: Array<{ id: string | null }> = await manager.query(
      `SELECT max("id"::text)::uuid AS "id" FROM "conversation"."messages" WHERE "conversation_id" = $1 AND "deleted_at" IS NULL`,
      [conversationId],
    );
    return rows[0].id;
  }

  /**
   * Marks a live message and its live descendants deleted with one timestamp, so restore brings
   * back exactly this deletion. Returns the totals of the messages it hid.
   */
  async softDeleteSubtree(manager: EntityManager, id: string, at: Date): Promise<{ ids: string[]; delta: TotalsDelta }> {
    const rows = await returning<MessageTotalsRow>(
      manager,
      `WITH RECURSIVE "down" AS (
         SELECT "id" FROM "conversation"."messages" WHERE "id" = $1 AND "deleted_at" IS NULL
         UNION ALL
         SELECT c."id" FROM "conversation"."messages" c JOIN "down" ON c."parent_id" = "down"."id" WHERE c."deleted_at" IS NULL
       )
       UPDATE "conversation"."messages" m SET "deleted_at" = $2, "updated_at" = now() FROM "down" WHERE m."id" = "down"."id"
       RETURNING m."id", m."token_usage", m."cost_micros"`,
      [id, at],
    );
    return { ids: rows.map((r) => r.id), delta: totalsOf(rows) };
  }

  /** Brings back a message and the descendants deleted with it (same timestamp). */
  async restoreSubtree(manager: EntityManager, id: string, at: Date): Promise<TotalsDelta> {
    const rows = await returning<MessageTotalsRow>(
      manager,
      `WITH RECURSIVE "down" AS (
         SELECT "id" FROM "conversation"."messages" WHERE "id" = $1
         UNION ALL
         SELECT c."id" FROM "conversation"."messages" c JOIN "down" ON c."parent_id" = "down"."id" WHERE c."deleted_at" = $2
       )
       UPDATE "conversation"."messages" m SET "deleted_at" = NULL, "updated_at" = now() FROM "down" WHERE m."id" = "down"."id"
       RETURNING m."id", m."token_usage", m."cost_micros"`,
      [id, at],
    );
    return totalsOf(rows);
  }

  /** Messages deleted before the cutoff go for good (their subtrees were deleted with them). */
  async purgeDeleted(manager: EntityManager, before: Date): Promise<number> {
    const rows = await returning<{ id: string }>(manager, `DELETE FROM "conversation"."messages" WHERE "deleted_at" < $1 RETURNING "id"`, [before]);
    return rows.length;
  }
}

export function totalsOfMessage(m: Pick<MessageEntity, 'tokenUsage' | 'costMicros'>, sign = 1): TotalsDelta {
  return {
    messages: sign,
    promptTokens: sign * (m.tokenUsage?.prompt ?? 0),
    completionTokens: sign * (m.tokenUsage?.completion ?? 0),
    totalTokens: sign * (m.tokenUsage?.total ?? 0),
    costMicros: sign * m.costMicros,
  };
}

interface MessageTotalsRow {
  id: string;
  token_usage: MessageEntity['tokenUsage'];
  cost_micros: string;
}

function totalsOf(rows: MessageTotalsRow[]): TotalsDelta {
  const sum: TotalsDelta = { messages: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 };
  for (const row of rows) {
    const d = totalsOfMessage({ tokenUsage: row.token_usage, costMicros: Number(row.cost_micros) });
    sum.messages += d.messages;
    sum.promptTokens += d.promptTokens;
    sum.completionTokens += d.completionTokens;
    sum.totalTokens += d.totalTokens;
    sum.costMicros += d.costMicros;
  }
  return sum;
}

/** Every column but the search vector, which only the database reads. */
const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'owner_id',
  'agent_id',
  'parent_id',
  'role',
  'content',
  'tool_calls',
  'tool_call_id',
  'run_id',
  'step',
  'model',
  'token_usage',
  'cost_micros',
  'metadata',
  'deleted_at',
  'created_at',
  'updated_at',
]
  .map((c) => `"${c}"`)
  .join(', ');

interface MessageRow {
  id: string;
  conversation_id: string;
  owner_id: string;
  agent_id: string | null;
  parent_id: string | null;
  role: MessageEntity['role'];
  content: string;
  tool_calls: MessageEntity['toolCalls'];
  tool_call_id: string | null;
  run_id: string | null;
  step: number | null;
  model: string | null;
  token_usage: MessageEntity['tokenUsage'];
  cost_micros: string;
  metadata: Record<string, unknown>;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function messageFromRow(row: MessageRow): MessageEntity {
  return Object.assign(new MessageEntity(), {
    id: row.id,
    conversationId: row.conversation_id,
    ownerId: row.owner_id,
    agentId: row.agent_id,
    parentId: row.parent_id,
    role: row.role,
    content: row.content,
    toolCalls: row.tool_calls,
    toolCallId: row.tool_call_id,
    runId: row.run_id,
    step: row.step,
    model: row.model,
    tokenUsage: row.token_usage,
    costMicros: Number(row.cost_micros),
    metadata: row.metadata,
    deletedAt: row.deleted_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
