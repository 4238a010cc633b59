import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WEBHOOK_TOLERANCE_SECONDS } from '#crypto';
import { describeError, rootLogger } from '#observability';
import { WebhooksService } from './webhooks.service.js';

const EVERY_MS = 300_000;

/**
 * Every five minutes, forgets delivery ids older than twice the signature tolerance: a delivery
 * that old is refused as stale before its id is looked at. Idempotent, so every replica runs it.
 */
@Injectable()
export class WebhookDeliveriesPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'webhook-deliveries-purge' });

  constructor(private readonly webhooks: WebhooksService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    try {
      await this.webhooks.pruneDeliveries(new Date(Date.now() - 2 * WEBHOOK_TOLERANCE_SECONDS * 1000));
    } catch (err) {
      this.log.warn(describeError(err), 'webhook delivery purge failed; next round');
    }
  }
}
