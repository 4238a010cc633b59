import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { rootLogger } from '#observability';

/**
 * One connection per process, reconnecting for ever: a NATS restart is an outage to ride out,
 * never a reason to exit. `connected` follows the connection's status events.
 */
export interface NatsCredentials {
  user: string;
  password: string;
}

export class NatsLink {
  private connected = true;

  private constructor(
    readonly nc: NatsConnection,
    /** Where replies to this connection go; with credentials `_INBOX.<user>`, the only inboxes its user may subscribe to. */
    readonly inboxPrefix: string | undefined,
  ) {
    void this.watch();
  }

  /**
   * With `credentials`, the connection is that NATS user's, and its replies come to
   * `_INBOX.<user>.…`: the server lets no other user subscribe there, so no other app can read
   * the answers this one gets (a revealed provider key, for one).
   */
  static async open(url: string, name: string, credentials?: NatsCredentials): Promise<NatsLink> {
    const inboxPrefix = credentials ? `_INBOX.${credentials.user}` : undefined;
    const nc = await connect({
      servers: url,
      name,
      ...(credentials ? { user: credentials.user, pass: credentials.password, inboxPrefix } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
      pingInterval: 10_000,
      // Per-request stack capture costs more than the request itself (bench/nats-client.bench.mjs).
      noAsyncTraces: true,
    });
    return new NatsLink(nc, inboxPrefix);
  }

  isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  private async watch(): Promise<void> {
    const log = rootLogger();
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        log.warn({ nats: status.type }, 'NATS connection lost, reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        log.info({ nats: status.type }, 'NATS connection restored');
      }
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
