import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RUN_KINDS } from '#contracts';
import { Metrics } from '#observability';
import { ActingUser } from '#persistence';
import { RunEngineRepository } from './run-engine.repository.js';

/** The run queue on /metrics: depth and the oldest waiting run's age per kind, read at scrape time (0 for a kind with none). */
@Injectable()
export class RunQueueMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private unwatch: (() => void) | undefined;

  constructor(private readonly repository: RunEngineRepository) {}

  onApplicationBootstrap(): void {
    this.unwatch = Metrics.watchRunQueue('execution', async () => {
      const stats = await ActingUser.system('metrics: the run queue of every user', () => this.repository.queueStats());
      const waiting = new Map(stats.map((q) => [q.kind, q]));
      return RUN_KINDS.map((kind) => waiting.get(kind) ?? { kind, depth: 0, oldestAgeSeconds: 0 });
    });
  }

  onApplicationShutdown(): void {
    this.unwatch?.();
  }
}
