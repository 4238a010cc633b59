import { Injectable } from '@nestjs/common';
import { type Actor, type AppendRunMessagesRequest, type AppendRunUserMessageRequest, type MessageView, type RunMessagesReply, requireService } from '#contracts';
import { ActingUser } from '#persistence';
import { MessagesService } from '../messages/messages.service.js';

/**
 * What runs write into conversations: a run's input and the messages of its steps. Every write
 * names its run and step; the unique index on (run_id, step) and the look-up before each insert
 * make a retried write return the first one.
 */
@Injectable()
export class RunMessagesService {
  constructor(private readonly messages: MessagesService) {}

  appendUserMessage(actor: Actor, request: AppendRunUserMessageRequest): Promise<MessageView> {
    requireService(actor, 'execution');
    // The run writes into its owner's conversation, as that owner.
    return ActingUser.run(request.ownerId, () => this.appendUserMessageFor(actor, request));
  }

  appendMessages(actor: Actor, request: AppendRunMessagesRequest): Promise<RunMessagesReply> {
    requireService(actor, 'execution');
    return ActingUser.run(request.ownerId, () => this.appendMessagesFor(actor, request));
  }

  private async appendUserMessageFor(actor: Actor, request: AppendRunUserMessageRequest): Promise<MessageView> {
    const content = this.messages.checkContent(request.content);
    const [message] = await this.messages.append(request.ownerId, request.conversationId, request.parentId, [
      { role: 'user', content, toolCalls: null, toolCallId: null, runId: request.runId, step: request.step, model: null, tokenUsage: null, costMicros: 0, metadata: {} },
    ], actor);
    return message;
  }

  private async appendMessagesFor(actor: Actor, request: AppendRunMessagesRequest): Promise<RunMessagesReply> {
    const items = await this.messages.append(
      request.ownerId,
      request.conversationId,
      request.parentId,
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
    return { items };
  }
}
