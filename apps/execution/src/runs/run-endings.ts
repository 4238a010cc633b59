import { Inject, Injectable } from '@nestjs/common';
import { NotificationRequested, type RunFinishedEvent, RunCancelled, RunCompleted, RunFailed } from '#contracts';
import { type Outbox } from '#messaging';
import { OUTBOX } from '#service-kit';
import type { EntityManager } from 'typeorm';
import { type Fence, type FinishPatch, RunsRepository } from './runs.repository.js';
import type { Run } from './run.types.js';

/** Runs inside the ending's transaction: whatever must change with the run (its session, usage totals) changes atomically with it. */
export type RunEndedHook = (manager: EntityManager, run: Run) => Promise<void>;

const NOTIFICATION_TITLES: Record<string, string> = {
  completed: 'Your run finished',
  failed: 'Your run failed',
  expired: 'Your run ran out of time',
  cancelled: 'Your run was cancelled',
};

/**
 * Moves a run to a final state (or requires_action) with its stream's event, the outbox event for
 * final states, a notification for background runs, and every registered hook, all in the
 * caller's transaction. Null when the fence no longer holds or the run had already ended.
 */
@Injectable()
export class RunEndings {
  private readonly hooks: RunEndedHook[] = [];

  constructor(
    private readonly repository: RunsRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  onEnded(hook: RunEndedHook): void {
    this.hooks.push(hook);
  }

  async end(manager: EntityManager, runId: string, fence: Fence | null, patch: FinishPatch): Promise<Run | null> {
    const run = await this.repository.finish(manager, runId, fence, patch);
    if (!run) return null;
    // The UPDATE above holds the row lock until commit, so the locked append is safe here.
    await this.repository.appendEventLocked(manager, run.id, `run.${run.status}`, {
      status: run.status,
      ...(run.output !== null && run.output !== undefined ? { output: run.output, partial: run.outputPartial } : {}),
      ...(run.error ? { error: run.error } : {}),
      ...(run.status === 'requires_action' ? { action: run.requiredAction } : {}),
      usage: run.usage,
    });
    if (run.status !== 'requires_action') {
      // A step cut off by the ending (a cancelled model call) would otherwise show as running for ever.
      await this.repository.abandonRunningSteps(manager, run.id);
    }
    for (const hook of this.hooks) await hook(manager, run);
    if (run.status === 'requires_action') {
      if (run.background) await this.notify(manager, run, 'run.requires_action', 'Your run is waiting for input');
      return run;
    }
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
    await this.outbox.addIn(manager, contract, event);
    if (run.background) await this.notify(manager, run, `run.${run.status}`, NOTIFICATION_TITLES[run.status] ?? 'Your run ended');
    return run;
  }

  private async notify(manager: EntityManager, run: Run, kind: string, title: string): Promise<void> {
    const body = run.error ? `${run.error.code}: ${run.error.message}`.slice(0, 2000) : undefined;
    await this.outbox.addIn(manager, NotificationRequested.execution, { userId: run.ownerId, kind, title, ...(body ? { body } : {}), link: `/runs/${run.id}` });
  }
}
