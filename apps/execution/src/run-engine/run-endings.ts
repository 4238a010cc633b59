import { Inject, Injectable } from '@nestjs/common';
import { NotificationRequested, RunCancelled, RunCompleted, RunFailed, type SessionStatus, storable } from '#contracts';
import type { Outbox } from '#messaging';
import { Metrics } from '#observability';
import { Database } from '#persistence';
import { OUTBOX } from '#service-kit';
import { type Fence, RunEventsService } from '../run-events/run-events.service.js';
import { RunWebhooksService } from '../run-webhooks/run-webhooks.service.js';
import { type Ended, type FinishPatch, RunEngineRepository, type HeldStepWrite, type StepWrite } from './run-engine.repository.js';
import type { RunEntity } from './run.entity.js';
import { publishStepWrite } from './step-journal.js';

const NOTIFICATION_TITLES: Record<string, string> = {
  completed: 'Your run finished',
  failed: 'Your run failed',
  expired: 'Your run ran out of time',
  cancelled: 'Your run was cancelled',
};

/** The session status a run's ending leaves its session in. */
const SESSION_STATUS: Record<FinishPatch['status'], SessionStatus> = {
  requires_action: 'paused',
  completed: 'completed',
  cancelled: 'completed',
  failed: 'failed',
  expired: 'failed',
};

/** What the caller knows of the run before it ends it: whether the ending writes more than its one statement. */
export type EndingRun = Pick<RunEntity, 'background' | 'webhookUrl'>;

/**
 * Moves a run to a final state (or requires_action) with its stream's event, its session and the
 * daily usage, and the outbox event for final states, in one statement (RunEngineRepository.finishStatement);
 * then the run's webhook delivery and, for background runs, a notification, in the same transaction.
 * Null when the fence no longer holds or the run had already ended. The run's event goes out live
 * once committed.
 */
@Injectable()
export class RunEndings {
  constructor(
    private readonly repository: RunEngineRepository,
    private readonly webhooks: RunWebhooksService,
    private readonly events: RunEventsService,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly database: Database,
  ) {}

  /**
   * `known`: the run as its caller holds it. When it has neither a webhook nor a background
   * notification to write, the ending is its one statement, with no transaction around it;
   * otherwise (or unknown) the writes share a transaction (the caller's, if it has one).
   * `steps`: the attempt's step writes its journal held back (with a fence): written first, in the
   * same round trip and transaction as the ending (Database.batch).
   */
  end(runId: string, fence: Fence | null, patch: FinishPatch, known?: EndingRun, steps: readonly HeldStepWrite[] = []): Promise<RunEntity | null> {
    const alone = known !== undefined && !known.background && known.webhookUrl === null;
    return alone ? this.write(runId, fence, patch, steps) : this.database.transaction(() => this.write(runId, fence, patch, steps));
  }

  private async write(runId: string, fence: Fence | null, patch: FinishPatch, steps: readonly HeldStepWrite[]): Promise<RunEntity | null> {
    // An output or error carrying text from outside (a model, a tool, a page) must not make the
    // ending itself fail, or the run would be retried and its billed calls repeated.
    const stored = storable(patch).value;
    const final = patch.status !== 'requires_action';
    const contract = patch.status === 'completed' ? RunCompleted : patch.status === 'cancelled' ? RunCancelled : RunFailed;
    const sessionError =
      (patch.status === 'failed' || patch.status === 'expired') && stored.error
        ? { runId, code: stored.error.code, message: stored.error.message, at: new Date().toISOString() }
        : null;
    // The RunFinishedEvent's data (run and owner ids, status, agent, workflow, conversation, error) comes from the ended row.
    const outbox = final ? this.outbox.rowWithoutData(contract) : undefined;
    const ending = this.repository.finishStatement(runId, fence, stored, { sessionStatus: SESSION_STATUS[patch.status], sessionError, ...(outbox ? { outbox } : {}) });
    let ended: Ended | null;
    if (fence && steps.length > 0) {
      const written = await this.database.batch([...steps.map((step) => this.repository.heldStatement(fence, step)), ending]);
      ended = written.pop() as Ended | null;
      // Under the same fence as the ending: all were written, or (the fence gone) none.
      for (const step of written as Array<StepWrite | null>) publishStepWrite(this.events, step);
    } else ended = await this.database.run(ending);
    if (!ended) return null;
    const { run, event } = ended;
    if (outbox) this.outbox.written({ id: outbox.id, envelope: JSON.stringify(ended.outboxEnvelope) });
    this.events.publishAfterCommit(event);
    const seconds = ((run.completedAt ?? new Date()).getTime() - run.createdAt.getTime()) / 1000;
    this.database.afterCommit(() => Metrics.runEnded(run.kind, run.status, seconds));
    if (!final) {
      if (run.background) await this.notify(run, 'run.requires_action', 'Your run is waiting for input');
      return run;
    }
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
