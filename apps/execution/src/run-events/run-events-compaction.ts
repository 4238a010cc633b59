import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { ActingUser } from '#persistence';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { RunEventsRepository } from './run-events.repository.js';

const BATCH = 5000;

/**
 * Token events are most of a run's stored stream and worth little once the run is long over (its
 * output holds the whole answer): past retention they are removed in small batches, so the table
 * does not grow for ever and no long lock is taken. Run and step events stay, and sequence numbers
 * never change, so a replay still works: it just has no token deltas. Every replica runs it; the
 * DELETEs are idempotent.
 */
@Injectable()
export class RunEventsCompaction implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'run-events-compaction' });

  constructor(
    private readonly repository: RunEventsRepository,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.compactionIntervalSeconds === 0 || this.config.tokenEventRetentionDays === 0) return;
    this.timer = setInterval(() => void this.compactSafely(), this.config.compactionIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: token events of runs that ended before `now` minus retention. Returns how many went. */
  async compact(now = new Date()): Promise<number> {
    if (this.config.tokenEventRetentionDays === 0) return 0;
    const before = new Date(now.getTime() - this.config.tokenEventRetentionDays * 86_400_000);
    let removed = 0;
    for (;;) {
      const batch = await this.repository.deleteTokenEvents(before, BATCH);
      removed += batch;
      if (batch < BATCH) return removed;
    }
  }

  private async compactSafely(): Promise<void> {
    try {
      const removed = await ActingUser.system('compact token events past retention', () => this.compact());
      if (removed > 0) this.log.info({ removed }, 'removed token events past retention');
    } catch (err) {
      this.log.warn(describeError(err), 'compacting run events failed; the next pass retries');
    }
  }
}
