import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource } from 'typeorm';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { sql } from './runs.repository.js';

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
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
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
      const rows: Array<{ run_id: string }> = await sql(
        this.dataSource,
        `DELETE FROM "execution"."run_events" WHERE ("run_id", "seq") IN (
           SELECT e."run_id", e."seq" FROM "execution"."run_events" e JOIN "execution"."runs" r ON r."id" = e."run_id"
           WHERE e."type" = 'token' AND r."completed_at" < $1 LIMIT $2)
         RETURNING "run_id"`,
        [before, BATCH],
      );
      removed += rows.length;
      if (rows.length < BATCH) return removed;
    }
  }

  private async compactSafely(): Promise<void> {
    try {
      const removed = await this.compact();
      if (removed > 0) this.log.info({ removed }, 'removed token events past retention');
    } catch (err) {
      this.log.warn(describeError(err), 'compacting run events failed; the next pass retries');
    }
  }
}
