import { type Outbox } from '#messaging';
import { type RunFinishedEvent, RunCancelled, RunCompleted, RunFailed } from '#contracts';
import type { EntityManager } from 'typeorm';
import type { Fence, FinishPatch, RunsRepository } from './runs.repository.js';
import type { Run } from './run.types.js';

/**
 * Moves a run to a final state (or requires_action) with its stream's event and, for final states,
 * the outbox event, all in the caller's transaction. Null when the fence no longer holds or the
 * run had already ended.
 */
export async function endRun(manager: EntityManager, repository: RunsRepository, outbox: Outbox, runId: string, fence: Fence | null, patch: FinishPatch): Promise<Run | null> {
  const run = await repository.finish(manager, runId, fence, patch);
  if (!run) return null;
  // The UPDATE above holds the row lock until commit, so the locked append is safe here.
  await repository.appendEventLocked(manager, run.id, `run.${run.status}`, {
    status: run.status,
    ...(run.output !== null && run.output !== undefined ? { output: run.output, partial: run.outputPartial } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.status === 'requires_action' ? { action: run.requiredAction } : {}),
    usage: run.usage,
  });
  if (run.status === 'requires_action') return run;
  const event: RunFinishedEvent = {
    runId: run.id,
    ownerId: run.ownerId,
    status: run.status,
    ...(run.agentId ? { agentId: run.agentId } : {}),
    ...(run.workflowId ? { workflowId: run.workflowId } : {}),
    ...(run.conversationId ? { conversationId: run.conversationId } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
  const contract = run.status === 'completed' ? RunCompleted : run.status === 'cancelled' ? RunCancelled : RunFailed;
  await outbox.add(manager, contract, event);
  return run;
}
