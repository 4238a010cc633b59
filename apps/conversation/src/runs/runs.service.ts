import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type AppendRunMessagesRequest, type AppendRunUserMessageRequest, type MessageView, type RunMessagesReply, requireService } from '#contracts';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConversationEntity } from '../conversations/conversation.entity.js';
import { toMessageView } from '../conversations/conversation.mapper.js';
import { ConversationsErrors } from '../conversations/conversations.errors.js';
import { ConversationsRepository } from '../conversations/conversations.repository.js';
import { MessagesService } from '../messages/messages.service.js';

/**
 * What runs write into conversations. Every write names its run and step; the unique index on
 * (run_id, step) and the look-up before each insert make a retried write return the first one.
 */
@Injectable()
export class RunsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesService,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async appendUserMessage(actor: Actor, request: AppendRunUserMessageRequest): Promise<MessageView> {
    requireService(actor, 'execution');
    const content = this.messages.checkContent(request.content);
    const [message] = await this.inConversation(request.ownerId, request.conversationId, async (manager, conversation) => {
      const parentId = await this.messages.resolveParent(manager, conversation, request.parentId);
      return this.messages.appendChain(
        manager,
        conversation,
        parentId,
        [{ role: 'user', content, toolCalls: null, toolCallId: null, runId: request.runId, step: request.step, model: null, tokenUsage: null, costMicros: 0, metadata: {} }],
        actor,
      );
    });
    return toMessageView(message);
  }

  async appendMessages(actor: Actor, request: AppendRunMessagesRequest): Promise<RunMessagesReply> {
    requireService(actor, 'execution');
    const written = await this.inConversation(request.ownerId, request.conversationId, async (manager, conversation) => {
      const parentId = await this.messages.resolveParent(manager, conversation, request.parentId);
      return this.messages.appendChain(
        manager,
        conversation,
        parentId,
        request.messages.map((m) => ({
          role: m.role,
          content: m.content,
          toolCalls: m.toolCalls?.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) ?? null,
          toolCallId: m.toolCallId ?? null,
          runId: request.runId,
          step: m.step,
          model: m.model ?? null,
          tokenUsage: m.tokenUsage ? { prompt: m.tokenUsage.prompt, completion: m.tokenUsage.completion, total: m.tokenUsage.total } : null,
          costMicros: m.costMicros ?? 0,
          metadata: m.metadata ?? {},
        })),
        actor,
      );
    });
    return { items: written.map(toMessageView) };
  }

  private inConversation<T>(ownerId: string, conversationId: string, work: (manager: EntityManager, conversation: ConversationEntity) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const conversation = await this.conversations.lockOwned(manager, ownerId, conversationId);
      if (!conversation) throw ConversationsErrors.notFound();
      return work(manager, conversation);
    });
  }
}
