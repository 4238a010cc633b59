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
    coalesceWrites(nc);
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

/** The part of nats.js' protocol handler (@nats-io/nats-core's ProtocolHandler, not exported) that batches outgoing bytes. */
interface OutboundBatching {
  outbound: { fill(first: Uint8Array, ...more: Uint8Array[]): void; length(): number; size(): number };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
}

const encoder = new TextEncoder();

/**
 * nats.js writes to the socket at the end of the microtask checkpoint in which something was sent,
 * so a busy process makes one write per I/O callback that sends: one per HTTP request on the
 * gateway, one per reply on a service. Those writes (a system call that wakes the NATS server)
 * were the largest single cost in the gateway's and the agent service's profiles under load.
 * Here the connection writes once per turn of the event loop instead (setImmediate runs after the
 * turn's I/O callbacks): what every request of the turn sent goes in one write. The limit past
 * which nats.js writes at once is kept. Should the library's internals differ from what this
 * expects, the connection is left as it is.
 */
function coalesceWrites(nc: NatsConnection): void {
  const protocol = (nc as unknown as { protocol?: Partial<OutboundBatching> }).protocol;
  if (!protocol || typeof protocol.sendCommand !== 'function' || typeof protocol.flushPending !== 'function' || typeof protocol.outbound?.fill !== 'function') return;
  const handler = protocol as OutboundBatching;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    handler.flushPending();
  };
  handler.sendCommand = (cmd, ...payloads) => {
    handler.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (handler.outbound.size() >= handler.pendingLimit) handler.flushPending();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
