import { Inject, Injectable } from '@nestjs/common';
import { NotificationRequested, type RunFinishedEvent, RunCancelled, RunCompleted, RunFailed, storable } from '#contracts';
import type { Outbox } from '#messaging';
import { Metrics } from '#observability';
import { Database } from '#persistence';
import { OUTBOX } from '#service-kit';
import type { Fence } from '../run-events/run-events.service.js';
import { RunWebhooksService } from '../run-webhooks/run-webhooks.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsageService } from '../usage/usage.service.js';
import { type FinishPatch, RunEngineRepository } from './run-engine.repository.js';
import type { RunEntity } from './run.entity.js';

const NOTIFICATION_TITLES: Record<string, string> = {
  completed: 'Your run finished',
  failed: 'Your run failed',
  expired: 'Your run ran out of time',
  cancelled: 'Your run was cancelled',
};

/**
 * Moves a run to a final state (or requires_action) with its stream's event, its session and the
 * daily usage, the outbox event for final states, the run's webhook delivery and a notification for background runs, all in
 * the caller's transaction. Null when the fence no longer holds or the run had already ended.
 */
@Injectable()
export class RunEndings {
  constructor(
    private readonly repository: RunEngineRepository,
    private readonly sessions: SessionsService,
    private readonly usage: UsageService,
    private readonly webhooks: RunWebhooksService,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly database: Database,
  ) {}

  async end(runId: string, fence: Fence | null, patch: FinishPatch): Promise<RunEntity | null> {
    // An output or error carrying text from outside (a model, a tool, a page) must not make the
    // ending itself fail, or the run would be retried and its billed calls repeated.
    // The run's event, and for a final end its cut-off steps (a cancelled model call) marked
    // abandoned and its calls counted, come with the update: one statement.
    const ended = await this.repository.finish(runId, fence, storable(patch).value);
    if (!ended) return null;
    const { run, calls } = ended;
    const { kind, status } = run;
    const seconds = ((run.completedAt ?? new Date()).getTime() - run.createdAt.getTime()) / 1000;
    this.database.afterCommit(() => Metrics.runEnded(kind, status, seconds));
    const final = run.status !== 'requires_action';
    if (run.sessionId) await this.sessions.runEnded({ sessionId: run.sessionId, runId: run.id, status: run.status, conversationId: run.conversationId, error: run.error, toolCalls: calls.tools });
    if (run.agentId && final) await this.usage.runEnded({ ownerId: run.ownerId, agentId: run.agentId, status: run.status, models: calls.models });
    if (!final) {
      if (run.background) await this.notify(run, 'run.requires_action', 'Your run is waiting for input');
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
    await this.outbox.add(contract, event);
    // The run's webhook, if it named one: a delivery row written with the ending, so none is lost.
    await this.webhooks.runEnded(run);
    if (run.background) await this.notify(run, `run.${run.status}`, NOTIFICATION_TITLES[run.status] ?? 'Your run ended');
    return run;
  }

  private async notify(run: RunEntity, kind: string, title: string): Promise<void> {
    const body = run.error ? `${run.error.code}: ${run.error.message}`.slice(0, 2000) : undefined;
    await this.outbox.add(NotificationRequested.execution, { userId: run.ownerId, kind, title, ...(body ? { body } : {}), link: `/runs/${run.id}` });
  }
}
