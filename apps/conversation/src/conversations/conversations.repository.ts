import { Injectable } from '@nestjs/common';
import { Any, IsNull, LessThan, Not, type QueryDeepPartialEntity } from 'typeorm';
import { Database, newId } from '#persistence';
import { ConversationEntity } from './conversation.entity.js';

/** The columns a new conversation is given; it has no messages yet, and the rest start at the table's defaults. */
export type NewConversation = Pick<ConversationEntity, 'ownerId' | 'agentId' | 'workflowId' | 'projectId' | 'title' | 'sessionId' | 'sessionContext' | 'metadata'>;

/** What a message write changes on its conversation (the totals are absolute: the caller holds the row lock). */
export type ConversationActivity = Pick<
  ConversationEntity,
  'currentLeafId' | 'messageCount' | 'promptTokens' | 'completionTokens' | 'totalTokens' | 'costMicros' | 'lastMessageAt' | 'title'
>;

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

@Injectable()
export class ConversationsRepository {
  constructor(private readonly database: Database) {}

  private get conversations() {
    return this.database.repository(ConversationEntity);
  }

  /**
   * A live conversation of this owner, or null: another owner's is not found.
   * Plain SQL because it pays: this look-up starts every message route, the benched branch read
   * among them, and TypeORM's find costs about half a millisecond of CPU more than the statement.
   */
  findOwned(ownerId: string, id: string): Promise<ConversationEntity | null> {
    return this.database.row(ConversationEntity, `SELECT * FROM "conversation"."conversations" WHERE "id" = $1 AND "owner_id" = $2 AND "deleted_at" IS NULL`, [id, ownerId]);
  }

  /** A conversation of this owner, live or deleted as asked, locked until the transaction ends: writes to one conversation run one after another. */
  lockOwned(ownerId: string, id: string, options: { deleted: boolean } = { deleted: false }): Promise<ConversationEntity | null> {
    return this.conversations.findOne({ where: { id, ownerId, deletedAt: options.deleted ? Not(IsNull()) : IsNull() }, lock: { mode: 'pessimistic_write' } });
  }

  async insert(values: NewConversation): Promise<ConversationEntity> {
    const id = newId();
    // The cast: TypeORM's insert type cannot take jsonb fields typed Record<string, unknown>.
    await this.conversations.insert({ ...values, id, currentLeafId: null, lastMessageAt: null, deletedAt: null } as QueryDeepPartialEntity<ConversationEntity>);
    // Read back whole: TypeORM merges the defaults an insert returns without converting them (bigint as text).
    return this.conversations.findOneByOrFail({ id });
  }

  save(conversation: ConversationEntity): Promise<ConversationEntity> {
    return this.conversations.save(conversation);
  }

  async recordActivity(id: string, activity: ConversationActivity): Promise<void> {
    await this.conversations.update(id, activity);
  }

  /**
   * Newest activity first. Plain SQL: the order is an expression, COALESCE(last_message_at,
   * created_at), which the index conversations_owner_activity_idx serves and the repository API
   * cannot say. The position comes back as PostgreSQL's text, microseconds included, for the cursor.
   */
  async list(filter: ConversationListFilter): Promise<Array<{ conversation: ConversationEntity; activity: string }>> {
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
    const rows = await this.database.query<Record<string, unknown> & { activity: string }>(
      `SELECT *, COALESCE("last_message_at", "created_at")::text AS "activity" FROM "conversation"."conversations"
       WHERE ${where.join(' AND ')}
       ORDER BY COALESCE("last_message_at", "created_at") DESC, "id" DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({ conversation: this.database.hydrate(ConversationEntity, row), activity: row.activity }));
  }

  /** The agent's conversations of this owner not archived yet become archived; answers how many. */
  async archiveByAgent(ownerId: string, agentId: string): Promise<number> {
    const result = await this.conversations.update({ ownerId, agentId, isArchived: false }, { isArchived: true });
    return result.affected ?? 0;
  }

  /** Every conversation of the owner goes (messages, summaries and attachment rows cascade). */
  async deleteByOwner(ownerId: string): Promise<void> {
    await this.conversations.delete({ ownerId });
  }

  async idsDeletedBefore(before: Date): Promise<string[]> {
    const rows = await this.conversations.find({ select: { id: true }, where: { deletedAt: LessThan(before) } });
    return rows.map((r) => r.id);
  }

  /** Removes for good (messages, summaries and attachment rows cascade); answers how many went. */
  async deleteAll(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.conversations.delete({ id: Any(ids) });
    return result.affected ?? 0;
  }
}
