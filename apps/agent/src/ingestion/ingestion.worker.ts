import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AgentConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { ActingUser } from '#persistence';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';
import { IngestionService } from './ingestion.service.js';

/**
 * The loop that does ingestion work: woken when a document or a change of model commits on this
 * replica, and on a timer for work it was not woken for (another replica's, or a claim whose
 * worker died and whose lease ran out).
 */
@Injectable()
export class IngestionWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'knowledge-ingestion' });
  private readonly stop = new AbortController();
  private wake: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private stopListening: (() => void) | undefined;
  private readonly pollMs: number;

  constructor(
    private readonly ingestion: IngestionService,
    private readonly bases: KnowledgeBasesService,
    @Inject(AGENT_CONFIG) config: AgentConfig,
  ) {
    this.pollMs = config.knowledge.pollMs;
  }

  onApplicationBootstrap(): void {
    this.stopListening = this.bases.onWork(() => this.poke());
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    this.stop.abort();
    this.poke();
    await this.loop;
  }

  private poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      this.woken = false;
      try {
        // Claims whichever user's document or base is next.
        const didWork = await ActingUser.system('knowledge ingestion worker', async () => (await this.ingestion.ingestNext(signal)) || (await this.ingestion.reembedNext(signal)));
        if (didWork) continue;
      } catch (err) {
        if (signal.aborted) break;
        this.log.error(describeError(err), 'the ingestion worker failed; it tries again');
      }
      if (this.woken || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
