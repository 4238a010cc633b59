import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { describeError, rootLogger } from '#observability';
import { ActingUser } from '#persistence';
import { AgentsService } from './agents.service.js';

const EVERY_MS = 3_600_000;

/**
 * Once an hour, removes the agents deleted longer ago than AGENT_RETENTION_DAYS
 * (AgentsService.purgeExpired). Every replica runs it; the purge is idempotent, so two replicas
 * overlapping cost a little work and change nothing.
 */
@Injectable()
export class AgentsPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'agents-purge' });

  constructor(private readonly agents: AgentsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    try {
      const removed = await ActingUser.system('purge agents past retention', () => this.agents.purgeExpired());
      if (removed > 0) this.log.info({ removed }, 'purged agents past retention');
    } catch (err) {
      this.log.warn(describeError(err), 'purge failed; next hour');
    }
  }
}
