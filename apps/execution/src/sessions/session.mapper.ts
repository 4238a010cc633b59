import type { SessionView } from '#contracts';
import type { SessionEntity } from './session.entity.js';

export function toSessionView(s: SessionEntity): SessionView {
  return {
    id: s.id,
    agentId: s.agentId,
    conversationId: s.conversationId,
    status: s.status,
    context: s.context,
    variables: s.variables,
    messagesCount: s.messagesCount,
    toolsUsed: s.toolsUsed,
    errorLogs: s.errorLogs,
    runCount: s.runCount,
    startedAt: s.startedAt.toISOString(),
    lastActiveAt: s.lastActiveAt.toISOString(),
    completedAt: s.completedAt ? s.completedAt.toISOString() : null,
  };
}
