import { Module } from '@nestjs/common';
import { loadConfig } from '#config';
import { Keyring } from '#crypto';
import { OutboundPolicy } from '#outbound';
import { RunWebhooksHandler } from './run-webhooks.handler.js';
import { RunWebhooksRepository } from './run-webhooks.repository.js';
import { RunWebhooksService, WEBHOOK_KEYRING, WEBHOOK_OUTBOUND_POLICY } from './run-webhooks.service.js';

/**
 * Outbound run webhooks: the owners' signing secrets (sealed with ENCRYPTION_KEYS) and the durable
 * deliveries of run endings, sent under the outbound policy (OUTBOUND_ALLOW_INTERNAL,
 * OUTBOUND_INTERNAL_ALLOWLIST).
 */
@Module({
  controllers: [RunWebhooksHandler],
  providers: [
    RunWebhooksService,
    RunWebhooksRepository,
    { provide: WEBHOOK_KEYRING, useFactory: (): Keyring | null => Keyring.parse(process.env.ENCRYPTION_KEYS, 'ENCRYPTION_KEYS') ?? null },
    { provide: WEBHOOK_OUTBOUND_POLICY, useFactory: () => new OutboundPolicy(loadConfig().outbound) },
  ],
  exports: [RunWebhooksService],
})
export class RunWebhooksModule {}
