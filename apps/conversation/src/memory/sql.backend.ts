import { Inject, Injectable } from '@nestjs/common';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource } from 'typeorm';
import { ConversationsRepository } from '../conversations/conversations.repository.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import type { MemoryBackend, StoredMessage, StoredSummary } from './memory-backend.js';

/** Memory read straight from this service's tables: messages are already written by their own paths. */
@Injectable()
export class SqlMemoryBackend implements MemoryBackend {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null> {
    const conversation = await this.conversations.findOwned(ownerId, conversationId);
    if (!conversation) return null;
    const leaf = leafId ?? conversation.currentLeafId;
    if (!leaf) return [];
    return (await this.messages.branch(conversation.id, leaf)).map((m) => ({
      id: m.id,
      parentId: m.parentId,
      role: m.role,
      content: m.content,
      toolCalls: m.toolCalls,
      toolCallId: m.toolCallId,
    }));
  }

  /** Nothing to do: the message is already a row of conversation.messages. */
  async record(): Promise<void> {}

  async readSummary(conversationId: string): Promise<StoredSummary | null> {
    const rows: Array<{ content: string; through_message_id: string }> = await this.dataSource.query(
      `SELECT "content", "through_message_id" FROM "conversation"."summaries" WHERE "conversation_id" = $1`,
      [conversationId],
    );
    return rows.length === 0 ? null : { content: rows[0].content, throughMessageId: rows[0].through_message_id };
  }

  async writeSummary(conversationId: string, summary: StoredSummary): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "conversation"."summaries" ("id", "conversation_id", "through_message_id", "content") VALUES ($1, $2, $3, $4)
       ON CONFLICT ("conversation_id") DO UPDATE SET "through_message_id" = EXCLUDED."through_message_id", "content" = EXCLUDED."content", "updated_at" = now()`,
      [newId(), conversationId, summary.throughMessageId, summary.content],
    );
  }
}
