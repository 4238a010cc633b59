import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { ActingUser } from '#persistence';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { RunEventsService } from '../run-events/run-events.service.js';
import { RunWebhooksService } from '../run-webhooks/run-webhooks.service.js';
import { RunEngineRepository } from './run-engine.repository.js';

const BATCH = 5000;

/**
 * Journals do not grow for ever: the steps, events and finished webhook deliveries of runs that
 * ended more than EXECUTION_RUN_RETENTION_DAYS ago are removed in small batches (no long lock),
 * on every replica (the DELETEs are idempotent). The run itself stays, with its output, error and
 * usage; runs still waiting (requires_action) or running keep everything they need to resume.
 */
@Injectable()
export class RunRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'run-retention' });

  constructor(
    private readonly repository: RunEngineRepository,
    private readonly events: RunEventsService,
    private readonly webhooks: RunWebhooksService,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.compactionIntervalSeconds === 0 || this.config.runRetentionDays === 0) return;
    this.timer = setInterval(() => void this.pruneSafely(), this.config.compactionIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over runs that ended before `now` minus retention; answers how many rows went. */
  async prune(now = new Date()): Promise<{ steps: number; events: number; deliveries: number }> {
    const removed = { steps: 0, events: 0, deliveries: 0 };
    if (this.config.runRetentionDays === 0) return removed;
    const before = new Date(now.getTime() - this.config.runRetentionDays * 86_400_000);
    removed.steps = await drain((batch) => this.repository.deleteStepsOfRunsEndedBefore(before, batch));
    removed.events = await drain((batch) => this.events.deleteOfRunsEndedBefore(before, batch));
    removed.deliveries = await drain((batch) => this.webhooks.deleteOfRunsEndedBefore(before, batch));
    return removed;
  }

  private async pruneSafely(): Promise<void> {
    try {
      const removed = await ActingUser.system('prune the journals of runs past retention', () => this.prune());
      if (removed.steps + removed.events + removed.deliveries > 0) this.log.info(removed, 'removed the journals of runs past retention');
    } catch (err) {
      this.log.warn(describeError(err), 'pruning old run journals failed; the next pass retries');
    }
  }
}

async function drain(deleteBatch: (batch: number) => Promise<number>): Promise<number> {
  let removed = 0;
  for (;;) {
    const count = await deleteBatch(BATCH);
    removed += count;
    if (count < BATCH) return removed;
  }
}
