import { Inject, Injectable } from '@nestjs/common';
import { CREDENTIALS_CHANGED, type CredentialsHint, PROVIDER_KEYS_CHANGED, type ProviderKeysHint, REQUEST_BUDGET_SPENT } from '#contracts';
import { BROADCAST, type Broadcast } from '#messaging';
import { Database } from '#persistence';

/**
 * Tells every gateway replica that what it cached about a user's credentials is stale (see
 * CREDENTIALS_CHANGED). Sent once the change committed, so a replica that asks again reads the
 * new state, and before the request that made the change is answered: identity publishes the
 * hint and then its reply on the same NATS connection, so the hint is on its way to every
 * replica before the client can send its next request.
 */
@Injectable()
export class CredentialNoticesService {
  constructor(
    @Inject(BROADCAST) private readonly broadcast: Broadcast,
    private readonly database: Database,
  ) {}

  /** The user's sessions, keys, flags or account changed: after the open transaction commits (at once outside one). */
  changed(userId: string): void {
    this.database.afterCommit(() => this.broadcast.publish<CredentialsHint>(CREDENTIALS_CHANGED, { userId }));
  }

  /** The user's stored provider keys changed (set, replaced, deleted): after the open transaction commits (at once outside one). */
  providerKeysChanged(userId: string): void {
    this.database.afterCommit(() => this.broadcast.publish<ProviderKeysHint>(PROVIDER_KEYS_CHANGED, { userId }));
  }

  /** The user's request budget for this window is spent. */
  budgetSpent(userId: string): void {
    this.broadcast.publish<CredentialsHint>(REQUEST_BUDGET_SPENT, { userId });
  }
}
