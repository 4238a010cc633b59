import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  /** The body exactly as sent (what a signature covers). */
  raw: string;
  body: any;
  /** The status this delivery was answered with. */
  status: number;
}

/**
 * A webhook receiver on a real socket (127.0.0.1): records every POST with its raw body and
 * headers, and answers the scripted statuses in order (then 200), so a test can make the first
 * deliveries fail and watch the retries.
 */
export class FakeWebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly statuses: number[] = [];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res));
  }

  static async start(): Promise<FakeWebhookReceiver> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeWebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/runs`);
  }

  /** host:port, for an outbound allowlist entry. */
  get hostPort(): string {
    return new URL(this.url).host;
  }

  /** The next deliveries are answered with these statuses, in order. */
  answer(...statuses: number[]): this {
    this.statuses.push(...statuses);
    return this;
  }

  /** Resolves once `count` deliveries arrived. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  reset(): void {
    this.received.length = 0;
    this.statuses.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const status = this.statuses.shift() ?? 200;
    this.received.push({ headers: req.headers, raw, body, status });
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    for (const waiter of [...this.waiters]) {
      if (this.received.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
