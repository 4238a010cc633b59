import { Injectable } from '@nestjs/common';
import { ActingUser } from '#persistence';
import { ProviderKeysService } from '../provider-keys/provider-keys.service.js';
import { RunEngineService } from '../run-engine/run-engine.service.js';
import { RunWebhooksService } from '../run-webhooks/run-webhooks.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsageService } from '../usage/usage.service.js';

/** What this service keeps of a user or an agent that another service deleted; each call runs in the event's inbox transaction. */
@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly runs: RunEngineService,
    private readonly sessions: SessionsService,
    private readonly usage: UsageService,
    private readonly webhooks: RunWebhooksService,
    private readonly providerKeys: ProviderKeysService,
  ) {}

  /** The user's runs go for good with their steps and events, and with them their sessions, daily usage and webhook secret and deliveries; and the keys revealed for them. */
  async userDeleted(userId: string): Promise<void> {
    this.providerKeys.forgetUser(userId);
    // As the deleted user: what goes is that user's rows and no one else's.
    await ActingUser.run(userId, async () => {
      await this.runs.deleteAllOf(userId);
      await this.sessions.deleteAllOf(userId);
      await this.usage.deleteAllOf(userId);
      await this.webhooks.deleteAllOf(userId);
    });
  }

  /** Runs of a deleted agent that have not started (or wait for input) are cancelled. */
  agentDeleted(ownerId: string, agentId: string): Promise<void> {
    return ActingUser.run(ownerId, () => this.runs.cancelWaitingRunsOf(ownerId, agentId));
  }
}
