import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { WorkflowConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { WORKFLOW_CONFIG } from '../workflow-config.module.js';
import { SchedulesService } from './schedules.service.js';

/**
 * Every WORKFLOW_SCHEDULER_INTERVAL_MS, runs one pass of the scheduler (SchedulesService.tick).
 * Every replica runs it; the claims inside make replicas share the work rather than repeat it.
 * One pass at a time per replica: a slow pass delays the next instead of overlapping it.
 */
@Injectable()
export class ScheduleTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly log = rootLogger().child({ component: 'schedule-ticker' });

  constructor(
    private readonly schedules: SchedulesService,
    @Inject(WORKFLOW_CONFIG) private readonly config: WorkflowConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.schedulerIntervalMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.running = this.pass().finally(() => (this.running = undefined));
    }, this.config.schedulerIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    try {
      await this.schedules.tick();
    } catch (err) {
      this.log.warn(describeError(err), 'schedule pass failed; next interval');
    }
  }
}
