import { Injectable } from '@nestjs/common';
import { MessagesService } from '../messages/messages.service.js';
import type { MemoryBackend, StoredMessage, StoredSummary } from './memory-backend.js';
import { MemoryRepository } from './memory.repository.js';

/** Memory read straight from this service's tables: messages are already written by their own paths. */
@Injectable()
export class SqlMemoryBackend implements MemoryBackend {
  constructor(
    private readonly messages: MessagesService,
    private readonly memory: MemoryRepository,
  ) {}

  async branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null> {
    const branch = await this.messages.branchOf(ownerId, conversationId, leafId);
    return branch?.map(({ id, parentId, role, content, toolCalls, toolCallId }) => ({ id, parentId, role, content, toolCalls, toolCallId })) ?? null;
  }

  async readSummary(conversationId: string): Promise<StoredSummary | null> {
    const summary = await this.memory.findSummary(conversationId);
    return summary === null ? null : { content: summary.content, throughMessageId: summary.throughMessageId };
  }

  async writeSummary(conversationId: string, summary: StoredSummary): Promise<void> {
    await this.memory.saveSummary(conversationId, summary.throughMessageId, summary.content);
  }
}
