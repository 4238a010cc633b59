import { Controller, Inject } from '@nestjs/common';
import { UserDeleted, type UserDeletedEvent } from '#contracts';
import { BROADCAST, type Broadcast, type EventContext, OnEvent } from '#messaging';
import { RUNS_CANCEL_SUBJECT, type RunCancelHint } from '../runs/run-queue.js';
import { RunsRepository } from '../runs/runs.repository.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { UsageRepository } from '../usage/usage.repository.js';

@Controller()
export class UserDeletedHandler {
  constructor(
    private readonly runs: RunsRepository,
    private readonly sessions: SessionsRepository,
    private readonly usage: UsageRepository,
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
  ) {}

  /**
   * The user's runs go for good with their steps and events, and with them their sessions and
   * daily usage, in the inbox transaction. A worker still executing one loses its fence with the
   * row, so it stops writing; the cancel hint makes it stop spending at once rather than at its
   * next write or heartbeat. The hint goes out before the commit, but the worker's own ending waits
   * on the row lock and then finds no row; only if this transaction rolled back would the run end
   * cancelled, and redelivery deletes it anyway.
   */
  @OnEvent(UserDeleted)
  async onUserDeleted(event: UserDeletedEvent, context: EventContext): Promise<void> {
    const ids = await this.runs.deleteByOwner(context.manager, event.userId);
    await this.sessions.deleteByOwner(context.manager, event.userId);
    await this.usage.deleteByOwner(context.manager, event.userId);
    for (const runId of ids) this.broadcast.publish<RunCancelHint>(RUNS_CANCEL_SUBJECT, { runId });
  }
}
