import type { RunEventView, RunUsageView, RunView, StepView } from '#contracts';
import type { RunEntity, RunStepEntity, RunUsage } from '../run-engine/run-engine.service.js';
import type { RunEventEntity } from '../run-events/run-events.service.js';

function usageView(u: RunUsage): RunUsageView {
  return { promptTokens: u.promptTokens, completionTokens: u.completionTokens, totalTokens: u.promptTokens + u.completionTokens, costMicros: u.costMicros };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toRunView(r: RunEntity): RunView {
  return {
    id: r.id,
    status: r.status,
    agentId: r.agentId,
    agentVersion: r.agentVersion,
    workflowId: r.workflowId,
    workflowVersion: r.workflowVersion,
    conversationId: r.conversationId,
    sessionId: r.sessionId,
    input: r.input,
    output: r.output,
    outputPartial: r.outputPartial,
    requiredAction: r.requiredAction,
    error: r.error,
    usage: usageView(r.usage),
    limits: { ...r.limits },
    traceId: r.traceId,
    attempt: r.attempt,
    background: r.background,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
  };
}

export function toStepView(s: RunStepEntity): StepView {
  return {
    id: s.id,
    seq: s.seq,
    key: s.key,
    name: s.name,
    type: s.type,
    status: s.status,
    input: s.input,
    output: s.output,
    error: s.error,
    usage: usageView(s.usage),
    attempt: s.attempt,
    startedAt: s.startedAt.toISOString(),
    completedAt: iso(s.completedAt),
    durationMs: s.completedAt ? s.completedAt.getTime() - s.startedAt.getTime() : null,
  };
}

export function toRunEventView(e: RunEventEntity): RunEventView {
  return { seq: e.seq, type: e.type, data: e.data, createdAt: e.createdAt.toISOString() };
}
