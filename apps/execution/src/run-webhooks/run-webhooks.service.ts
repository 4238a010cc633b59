import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { type Actor, AppError, ErrorCode, requireUserId, type RunErrorInfo, type WebhookSecretView } from '#contracts';
import { associatedData, decodeSealed, encodeSealed, type Keyring, signWebhook, WEBHOOK_HEADERS } from '#crypto';
import { describeError, rootLogger } from '#observability';
import { OutboundAddressError, type OutboundPolicy } from '#outbound';
import { ActingUser, Database, newId } from '#persistence';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import type { RunWebhookDeliveryEntity } from './run-webhook-delivery.entity.js';
import { RunWebhooksRepository } from './run-webhooks.repository.js';
import type { WebhookSecretEntity } from './webhook-secret.entity.js';

export const WEBHOOK_KEYRING = Symbol('WEBHOOK_KEYRING');
export const WEBHOOK_OUTBOUND_POLICY = Symbol('WEBHOOK_OUTBOUND_POLICY');

/** Deliveries one replica takes per look. */
const BATCH = 20;
/** The longest pause between two attempts of one delivery. */
const MAX_RETRY_MS = 3_600_000;

/** What a run's ending tells its webhook: the run as it ended. */
export interface EndedRun {
  id: string;
  ownerId: string;
  status: string;
  agentId: string | null;
  workflowId: string | null;
  conversationId: string | null;
  output: unknown;
  outputPartial: boolean;
  error: RunErrorInfo | null;
  usage: { promptTokens: number; completionTokens: number; costMicros: number };
  completedAt: Date | null;
  webhookUrl: string | null;
}

const secretAad = (ownerId: string) => associatedData('execution.webhook_secrets', ownerId);

/**
 * Outbound run webhooks. A run's start names a URL (checked against the outbound policy); its
 * ending writes a delivery row in the ending's transaction, so no ending is lost; every replica
 * sends due deliveries (SKIP LOCKED), signed with the owner's secret, through the outbound policy
 * again at connect time, and retries failures with doubling pauses until the attempts run out.
 */
@Injectable()
export class RunWebhooksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'run-webhooks' });
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly repository: RunWebhooksRepository,
    private readonly database: Database,
    @Inject(WEBHOOK_KEYRING) private readonly keyring: Keyring | null,
    @Inject(WEBHOOK_OUTBOUND_POLICY) private readonly policy: OutboundPolicy,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.config.webhookPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sending;
  }

  /** A run's webhook URL, refused (400 naming webhookUrl) when the outbound policy would not call it. */
  async checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    if (!this.keyring) throw new AppError(ErrorCode.UNAVAILABLE, 'run webhooks are not available: the platform has no ENCRYPTION_KEYS to keep signing secrets');
    try {
      await this.policy.check(url);
    } catch (err) {
      if (err instanceof OutboundAddressError) throw AppError.invalidField('webhookUrl', err.reason);
      throw AppError.invalidField('webhookUrl', 'webhookUrl must be an http or https URL');
    }
  }

  /** In the ending's transaction: the delivery that announces it, sent after the commit. */
  async runEnded(run: EndedRun): Promise<void> {
    if (!run.webhookUrl) return;
    const id = newId();
    const payload = {
      id,
      type: `run.${run.status}`,
      createdAt: new Date().toISOString(),
      run: {
        id: run.id,
        status: run.status,
        agentId: run.agentId,
        workflowId: run.workflowId,
        conversationId: run.conversationId,
        output: run.output,
        outputPartial: run.outputPartial,
        error: run.error,
        usage: { ...run.usage, totalTokens: run.usage.promptTokens + run.usage.completionTokens },
        completedAt: run.completedAt?.toISOString() ?? null,
      },
    };
    await this.repository.insertDelivery({ id, runId: run.id, ownerId: run.ownerId, url: run.webhookUrl, payload });
    this.database.afterCommit(() => this.wake());
  }

  async secret(actor: Actor): Promise<WebhookSecretView> {
    const ownerId = requireUserId(actor);
    const row = await this.secretRow(ownerId);
    return { secret: this.open(row), createdAt: row.createdAt.toISOString() };
  }

  async rotateSecret(actor: Actor): Promise<WebhookSecretView> {
    const ownerId = requireUserId(actor);
    const keyring = this.requireKeyring();
    const secret = newSecret();
    const row = await this.repository.replaceSecret(ownerId, encodeSealed(keyring.seal(secret, secretAad(ownerId))));
    return { secret, createdAt: row.createdAt.toISOString() };
  }

  /** Retention: a batch of finished deliveries of runs that ended before `endedBefore`; how many went. */
  deleteOfRunsEndedBefore(endedBefore: Date, batch: number): Promise<number> {
    return this.repository.deleteSettledOfRunsEndedBefore(endedBefore, batch);
  }

  /** In the inbox transaction of a user's deletion. */
  deleteAllOf(ownerId: string): Promise<void> {
    return this.repository.deleteByOwner(ownerId);
  }

  /** Sends what is due now (also what the poll does); one pass at a time per replica. */
  wake(): void {
    if (this.stopped) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = ActingUser.system('send due run webhooks', () => this.sendDue())
      .catch((err: unknown) => this.log.warn(describeError(err), 'sending run webhooks failed; the next poll retries'))
      .finally(() => {
        this.sending = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      // Taken rows are pushed past the send's time limit, so a replica that dies mid-send leaves them due again.
      const due = await this.database.transaction(() => this.repository.takeDue(BATCH, this.config.webhookTimeoutMs * 2));
      // Each is sent as its owner: what it reads and writes (their secret, their delivery) is theirs.
      await Promise.all(due.map((delivery) => ActingUser.run(delivery.ownerId, () => this.send(delivery))));
      if (due.length < BATCH || this.stopped) return;
    }
  }

  private async send(delivery: RunWebhookDeliveryEntity): Promise<void> {
    let status: number | null = null;
    let problem: string;
    try {
      const body = JSON.stringify(delivery.payload);
      const timestamp = Math.floor(Date.now() / 1000);
      const secret = this.open(await this.secretRow(delivery.ownerId));
      const response = await this.policy.fetch(delivery.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'agent-platform-webhooks',
          [WEBHOOK_HEADERS.id]: delivery.id,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body),
        },
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status >= 200 && status < 300) {
        await this.repository.delivered(delivery.id, status);
        return;
      }
      problem = `the receiver answered ${status}`;
    } catch (err) {
      problem = err instanceof OutboundAddressError ? err.reason : err instanceof Error ? err.message : String(err);
    }
    const retryInMs = delivery.attempts >= this.config.webhookMaxAttempts ? null : Math.min(this.config.webhookRetryBaseMs * 2 ** (delivery.attempts - 1), MAX_RETRY_MS);
    await this.repository.attemptFailed(delivery.id, status, problem, retryInMs).catch((err: unknown) => this.log.warn(describeError(err), 'could not record a webhook attempt'));
  }

  private async secretRow(ownerId: string): Promise<WebhookSecretEntity> {
    const found = await this.repository.findSecret(ownerId);
    if (found) return found;
    const keyring = this.requireKeyring();
    return this.repository.insertSecret(ownerId, encodeSealed(keyring.seal(newSecret(), secretAad(ownerId))));
  }

  private open(row: WebhookSecretEntity): string {
    return this.requireKeyring().open(decodeSealed(row.sealedSecret), secretAad(row.ownerId));
  }

  private requireKeyring(): Keyring {
    if (!this.keyring) throw new AppError(ErrorCode.UNAVAILABLE, 'run webhooks are not available: the platform has no ENCRYPTION_KEYS to keep signing secrets');
    return this.keyring;
  }
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
