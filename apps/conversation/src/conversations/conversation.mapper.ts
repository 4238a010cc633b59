import type { ConversationView, MessageView } from '#contracts';
import type { MessageEntity } from '../messages/message.entity.js';
import type { ConversationEntity } from './conversation.entity.js';

export function toConversationView(c: ConversationEntity): ConversationView {
  return {
    id: c.id,
    agentId: c.agentId,
    workflowId: c.workflowId,
    projectId: c.projectId,
    title: c.title,
    sessionId: c.sessionId,
    sessionContext: c.sessionContext,
    metadata: c.metadata,
    isArchived: c.isArchived,
    currentLeafId: c.currentLeafId,
    lastMessageAt: c.lastMessageAt ? c.lastMessageAt.toISOString() : null,
    totals: { messages: c.messageCount, promptTokens: c.promptTokens, completionTokens: c.completionTokens, totalTokens: c.totalTokens, costMicros: c.costMicros },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    deletedAt: c.deletedAt ? c.deletedAt.toISOString() : null,
  };
}

export function toMessageView(m: MessageEntity): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    parentId: m.parentId,
    role: m.role,
    content: m.content,
    toolCalls: m.toolCalls,
    toolCallId: m.toolCallId,
    runId: m.runId,
    model: m.model,
    tokenUsage: m.tokenUsage,
    costMicros: m.costMicros,
    metadata: m.metadata,
    createdAt: m.createdAt.toISOString(),
  };
}
