import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AgentConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { AgentsRepository } from './agents.repository.js';

const EVERY_MS = 3_600_000;
const BATCH = 500;

/**
 * Deleted agents can be restored for AGENT_RETENTION_DAYS; after that they (and their versions,
 * by cascade) are removed for good. Every replica runs this; the DELETE is idempotent, so two
 * replicas overlapping cost a little work and change nothing.
 */
@Injectable()
export class AgentsPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'agents-purge' });

  constructor(
    private readonly agents: AgentsRepository,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeExpired().catch((err: unknown) => this.log.warn(describeError(err), 'purge failed; next hour')), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Removes every agent deleted before the retention window; returns how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const removed = await this.agents.purgeDeletedBefore(cutoff, BATCH);
      total += removed;
      if (removed < BATCH) break;
    }
    if (total > 0) this.log.info({ removed: total }, 'purged agents past retention');
    return total;
  }
}
