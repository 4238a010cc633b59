import type { PublicLinkView, PublicRunView, RunView, WorkflowField } from '#contracts';
import type { PublicLinkEntity } from './public-link.entity.js';

export function toPublicLinkView(link: PublicLinkEntity): PublicLinkView {
  return {
    id: link.id,
    workflowId: link.workflowId,
    version: link.version,
    tokenPrefix: link.tokenPrefix,
    runsPerMinute: link.runsPerMinute,
    expiresAt: link.expiresAt?.toISOString() ?? null,
    revokedAt: link.revokedAt?.toISOString() ?? null,
    createdAt: link.createdAt.toISOString(),
  };
}

/** Only the declared outputs of a completed run, and only the code of a failure: nothing of the run's insides. */
export function toPublicRunView(run: RunView, outputs: WorkflowField[]): PublicRunView {
  const values = run.status === 'completed' && run.output && typeof run.output === 'object' ? (run.output as Record<string, unknown>) : null;
  return {
    runId: run.id,
    status: run.status,
    outputs: values ? Object.fromEntries(outputs.filter((o) => o.name in values).map((o) => [o.name, values[o.name]])) : null,
    error: run.error ? run.error.code : null,
  };
}
