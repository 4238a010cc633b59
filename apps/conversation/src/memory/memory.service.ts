import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { type Actor, type MemoryReply, type MemoryRequest, type WriteSummaryRequest, requireService } from '#contracts';
import { ActingUser } from '#persistence';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { InMemoryMemoryBackend } from './in-memory.backend.js';
import type { MemoryBackend } from './memory-backend.js';
import { MemoryErrors } from './memory.errors.js';
import { selectWindow } from './memory-window.js';
import { SqlMemoryBackend } from './sql.backend.js';

export const DEFAULT_MEMORY_MESSAGES = 20;
export const DEFAULT_MEMORY_TOKENS = 8000;

/** What a run's model sees of a conversation, from the backend CONVERSATION_MEMORY_BACKEND names. */
@Injectable()
export class MemoryService {
  private readonly backend: MemoryBackend;

  constructor(sql: SqlMemoryBackend, inMemory: InMemoryMemoryBackend, @Inject(CONVERSATION_CONFIG) config: ConversationConfig) {
    this.backend = config.memoryBackend === 'in_memory' ? inMemory : sql;
  }

  /** The history a run's model should see for a branch: a window, or a summary plus what follows it. */
  get(actor: Actor, request: MemoryRequest): Promise<MemoryReply> {
    requireService(actor, 'execution');
    // A run reads its owner's conversation, as that owner.
    return ActingUser.run(request.ownerId, () => this.getFor(request));
  }

  writeSummary(actor: Actor, request: WriteSummaryRequest): Promise<void> {
    requireService(actor, 'execution');
    return ActingUser.run(request.ownerId, () => this.writeSummaryFor(request));
  }

  private async getFor(request: MemoryRequest): Promise<MemoryReply> {
    const branch = await this.backend.branch(request.ownerId, request.conversationId, request.leafId);
    if (branch === null) throw MemoryErrors.conversationNotFound();
    if (request.leafId !== undefined && branch[branch.length - 1]?.id !== request.leafId) throw MemoryErrors.foreignMessage('leafId');
    const summary = request.mode === 'summary' ? await this.backend.readSummary(request.conversationId) : null;
    return selectWindow(branch, { maxMessages: request.maxMessages ?? DEFAULT_MEMORY_MESSAGES, maxTokens: request.maxTokens ?? DEFAULT_MEMORY_TOKENS, summary });
  }

  /** A run whose window overflowed stores what it summarised; the next memory read starts after it. */
  private async writeSummaryFor(request: WriteSummaryRequest): Promise<void> {
    const branch = await this.backend.branch(request.ownerId, request.conversationId, request.throughMessageId);
    if (branch === null) throw MemoryErrors.conversationNotFound();
    if (branch[branch.length - 1]?.id !== request.throughMessageId) throw MemoryErrors.foreignMessage('throughMessageId');
    await this.backend.writeSummary(request.conversationId, { content: request.summary, throughMessageId: request.throughMessageId });
  }
}
