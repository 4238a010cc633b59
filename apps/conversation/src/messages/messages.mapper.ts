import type { MessageView } from '#contracts';
import type { ShownMessage } from './messages.repository.js';

export function toMessageView(m: ShownMessage): MessageView {
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
