import { Injectable } from '@nestjs/common';
import { IsNull, LessThan, Not } from 'typeorm';
import type { MessageRole } from '#contracts';
import { Database, newId } from '#persistence';
import { MessageEntity } from './message.entity.js';

export type NewMessage = Omit<MessageEntity, 'id' | 'createdAt' | 'updatedAt' | 'assignId' | 'deletedAt' | 'search'>;

/** One node of a conversation's tree: enough to draw it. */
export interface TreeNode {
  id: string;
  parentId: string | null;
  role: MessageRole;
  preview: string;
  createdAt: Date;
}

/** What a reader sees of a message (messages.mapper reads no more): what the branch walks load. */
export type ShownMessage = Pick<
  MessageEntity,
  'id' | 'conversationId' | 'parentId' | 'role' | 'content' | 'toolCalls' | 'toolCallId' | 'runId' | 'model' | 'tokenUsage' | 'costMicros' | 'metadata' | 'createdAt'
>;
const SHOWN: ReadonlySet<string> = new Set<keyof ShownMessage>([
  'id',
  'conversationId',
  'parentId',
  'role',
  'content',
  'toolCalls',
  'toolCallId',
  'runId',
  'model',
  'tokenUsage',
  'costMicros',
  'metadata',
  'createdAt',
]);

/** What a hidden or restored message counts for in its conversation's totals. */
export type MessageTotals = Pick<MessageEntity, 'id' | 'tokenUsage' | 'costMicros'>;

/**
 * All database access of the messages table. Plain SQL, each saying why, for what walks the
 * tree (recursive queries: a branch, a subtree's newest leaf, a subtree's soft delete and
 * restore), the tree's previews and the insert's ON CONFLICT; the Repository API for the rest.
 */
@Injectable()
export class MessagesRepository {
  private selectLists: { all: string; shown: string } | undefined;

  constructor(private readonly database: Database) {}

  private get messages() {
    return this.database.repository(MessageEntity);
  }

  /**
   * Select lists for plain SQL, from the entity: `all` is every column it reads (not the search
   * vector), `shown` what a reader sees. The branch walks load only `shown`: a page of a long
   * branch is a thousand rows, and each column is parsed and hydrated a thousand times.
   */
  private get columns(): { all: string; shown: string } {
    if (!this.selectLists) {
      const readable = this.database.dataSource.getMetadata(MessageEntity).columns.filter((c) => c.isSelect);
      const list = (columns: typeof readable) => columns.map((c) => `m."${c.databaseName}"`).join(', ');
      this.selectLists = { all: list(readable), shown: list(readable.filter((c) => SHOWN.has(c.propertyName))) };
    }
    return this.selectLists;
  }

  /** A message of this owner (live or deleted as asked), or null. */
  findOwned(ownerId: string, id: string, options: { deleted: boolean } = { deleted: false }): Promise<MessageEntity | null> {
    return this.messages.findOneBy({ id, ownerId, deletedAt: options.deleted ? Not(IsNull()) : IsNull() });
  }

  /** A live message of one conversation, or null (another conversation's message is not found). */
  findInConversation(conversationId: string, id: string): Promise<MessageEntity | null> {
    return this.messages.findOneBy({ id, conversationId, deletedAt: IsNull() });
  }

  /** The message a run already wrote for this step, if any (a retried write). */
  findByRunStep(runId: string, step: number): Promise<MessageEntity | null> {
    return this.messages.findOneBy({ runId, step });
  }

  /**
   * Null when a run already wrote this (runId, step): the unique index makes a retry harmless.
   * Plain SQL for ON CONFLICT ... DO NOTHING on that partial index, which the repository API
   * cannot say; the columns and values are the entity's.
   */
  async insert(values: NewMessage): Promise<MessageEntity | null> {
    const { table, columns, params } = this.database.columnsOf(MessageEntity, { ...values, id: newId() });
    return this.database.row(
      MessageEntity,
      `INSERT INTO ${table} AS m (${columns.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT ("run_id", "step") WHERE "run_id" IS NOT NULL DO NOTHING
       RETURNING ${this.columns.all}`,
      params,
    );
  }

  /**
   * The branch ending at a leaf, root first: a walk up the parent links, one primary-key lookup
   * per message, so its cost grows with the branch, not with the conversation.
   */
  branch(conversationId: string, leafId: string): Promise<ShownMessage[]> {
    return this.database.rows(
      MessageEntity,
      `WITH RECURSIVE "up" AS (
         SELECT m."id", m."parent_id", 0 AS "depth" FROM "conversation"."messages" m WHERE m."id" = $1 AND m."conversation_id" = $2
         UNION ALL
         SELECT p."id", p."parent_id", "up"."depth" + 1 FROM "conversation"."messages" p JOIN "up" ON p."id" = "up"."parent_id"
       )
       SELECT ${this.columns.shown} FROM "up" JOIN "conversation"."messages" m ON m."id" = "up"."id"
       WHERE m."deleted_at" IS NULL
       ORDER BY "up"."depth" DESC`,
      [leafId, conversationId],
    );
  }

  /**
   * One page of a branch, leaf first: at most `limit` + 1 messages walking up from `startId` (the
   * extra one says whether there is more), each with the running size of the content so far, so
   * the caller can stop before a reply outgrows a bus message.
   */
  async branchPage(conversationId: string, startId: string, limit: number): Promise<Array<{ message: ShownMessage; runningBytes: number }>> {
    const rows = await this.database.query<Record<string, unknown> & { running_bytes: string }>(
      `WITH RECURSIVE "up" AS (
         SELECT m."id", m."parent_id", 0 AS "depth" FROM "conversation"."messages" m WHERE m."id" = $1 AND m."conversation_id" = $2
         UNION ALL
         SELECT p."id", p."parent_id", "up"."depth" + 1 FROM "conversation"."messages" p JOIN "up" ON p."id" = "up"."parent_id" WHERE "up"."depth" < $3
       )
       SELECT ${this.columns.shown},
              sum(octet_length(m."content") + coalesce(octet_length(m."tool_calls"::text), 0)) OVER (ORDER BY "up"."depth") AS "running_bytes"
       FROM "up" JOIN "conversation"."messages" m ON m."id" = "up"."id"
       WHERE m."deleted_at" IS NULL
       ORDER BY "up"."depth"`,
      [startId, conversationId, limit],
    );
    return rows.map((row) => ({ message: this.database.hydrate(MessageEntity, row), runningBytes: Number(row.running_bytes) }));
  }

  /**
   * Every live message of a conversation, compactly, oldest first. Plain SQL for left(): the tree
   * carries 80 characters of each message, not whole messages.
   */
  tree(conversationId: string): Promise<TreeNode[]> {
    return this.database.query<TreeNode>(
      `SELECT "id", "parent_id" AS "parentId", "role", left("content", 80) AS "preview", "created_at" AS "createdAt" FROM "conversation"."messages"
       WHERE "conversation_id" = $1 AND "deleted_at" IS NULL ORDER BY "id"`,
      [conversationId],
    );
  }

  /**
   * The newest live message at or below one: ids are time-ordered and children are written after
   * their parents, so the newest message of a subtree has no children, i.e. it is a leaf.
   */
  async newestLeafUnder(id: string): Promise<string> {
    const [row] = await this.database.query<{ id: string }>(
      `WITH RECURSIVE "down" AS (
         SELECT "id" FROM "conversation"."messages" WHERE "id" = $1
         UNION ALL
         SELECT c."id" FROM "conversation"."messages" c JOIN "down" ON c."parent_id" = "down"."id" WHERE c."deleted_at" IS NULL
       )
       SELECT max("id"::text)::uuid AS "id" FROM "down"`,
      [id],
    );
    return row.id;
  }

  /** The newest live message of a conversation (a leaf, for the same reason), or null. */
  async newestLive(conversationId: string): Promise<string | null> {
    const newest = await this.messages.findOne({ select: { id: true }, where: { conversationId, deletedAt: IsNull() }, order: { id: 'DESC' } });
    return newest?.id ?? null;
  }

  /**
   * Marks a live message and its live descendants deleted with one timestamp, so restore brings
   * back exactly this deletion. Answers what it hid.
   */
  softDeleteSubtree(id: string, at: Date): Promise<MessageTotals[]> {
    return this.database.rows(
      MessageEntity,
      `WITH RECURSIVE "down" AS (
         SELECT "id" FROM "conversation"."messages" WHERE "id" = $1 AND "deleted_at" IS NULL
         UNION ALL
         SELECT c."id" FROM "conversation"."messages" c JOIN "down" ON c."parent_id" = "down"."id" WHERE c."deleted_at" IS NULL
       )
       UPDATE "conversation"."messages" m SET "deleted_at" = $2, "updated_at" = now() FROM "down" WHERE m."id" = "down"."id"
       RETURNING m."id", m."token_usage", m."cost_micros"`,
      [id, at],
    );
  }

  /** Brings back a message and the descendants deleted with it (same timestamp); answers what it restored. */
  restoreSubtree(id: string, at: Date): Promise<MessageTotals[]> {
    return this.database.rows(
      MessageEntity,
      `WITH RECURSIVE "down" AS (
         SELECT "id" FROM "conversation"."messages" WHERE "id" = $1
         UNION ALL
         SELECT c."id" FROM "conversation"."messages" c JOIN "down" ON c."parent_id" = "down"."id" WHERE c."deleted_at" = $2
       )
       UPDATE "conversation"."messages" m SET "deleted_at" = NULL, "updated_at" = now() FROM "down" WHERE m."id" = "down"."id"
       RETURNING m."id", m."token_usage", m."cost_micros"`,
      [id, at],
    );
  }

  /** Messages deleted before the cutoff go for good (their subtrees were deleted with them); answers how many. */
  async purgeDeleted(before: Date): Promise<number> {
    const result = await this.messages.delete({ deletedAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
