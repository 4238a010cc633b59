import type { ConversationView } from '#contracts';
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
