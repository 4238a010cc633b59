import { requireService } from '#contracts';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor, MemoryReply, MemoryRequest, WriteSummaryRequest } from '#contracts';
import { ConversationsErrors } from '../conversations/conversations.errors.js';
import { MEMORY_BACKEND, type MemoryBackend } from './memory-backend.js';
import { selectWindow } from './memory-window.js';

export const DEFAULT_MEMORY_MESSAGES = 20;
export const DEFAULT_MEMORY_TOKENS = 8000;

@Injectable()
export class MemoryService {
  constructor(@Inject(MEMORY_BACKEND) private readonly backend: MemoryBackend) {}

  /** The history a run's model should see for a branch: a window, or a summary plus what follows it. */
  async get(actor: Actor, request: MemoryRequest): Promise<MemoryReply> {
    requireService(actor, 'execution');
    const branch = await this.backend.branch(request.ownerId, request.conversationId, request.leafId);
    if (branch === null) throw ConversationsErrors.notFound();
    if (request.leafId !== undefined && branch[branch.length - 1]?.id !== request.leafId) throw ConversationsErrors.foreignLeaf('leafId');
    const summary = request.mode === 'summary' ? await this.backend.readSummary(request.conversationId) : null;
    return selectWindow(branch, { maxMessages: request.maxMessages ?? DEFAULT_MEMORY_MESSAGES, maxTokens: request.maxTokens ?? DEFAULT_MEMORY_TOKENS, summary });
  }

  /** A run whose window overflowed stores what it summarised; the next memory read starts after it. */
  async writeSummary(actor: Actor, request: WriteSummaryRequest): Promise<void> {
    requireService(actor, 'execution');
    const branch = await this.backend.branch(request.ownerId, request.conversationId, request.throughMessageId);
    if (branch === null) throw ConversationsErrors.notFound();
    if (branch[branch.length - 1]?.id !== request.throughMessageId) throw ConversationsErrors.foreignLeaf('throughMessageId');
    await this.backend.writeSummary(request.conversationId, { content: request.summary, throughMessageId: request.throughMessageId });
  }
}
