import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlatformConfig } from '#config';
import { Metrics, rootLogger } from '#observability';

/** What a route answers: a status and a JSON body, or text with its content type (e.g. /metrics). */
export interface HealthAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

export type HealthRoute = () => HealthAnswer | Promise<HealthAnswer>;

/**
 * The small HTTP listener a service process opens on HEALTH_PORT for its orchestrator (Kubernetes
 * probes, compose health checks). GET only, one handler per path: /health/live and /health/ready
 * for every service, and whatever a process adds with route() (the place for /metrics).
 *
 * Plain node:http rather than Nest, so it answers while the service is still starting (connecting
 * to NATS, waiting for its schema) and while it is stopping.
 */
export class HealthListener {
  private readonly routes = new Map<string, HealthRoute>();
  private server: Server | undefined;

  route(path: string, handler: HealthRoute): this {
    this.routes.set(path, handler);
    return this;
  }

  /** Starts listening; resolves with the port (useful when `port` is 0). */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    // A probe that hangs up early must not leave a socket open until the default timeout.
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** The port it listens on, once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = this.routes.get(path);
    let answer: HealthAnswer;
    if (req.method !== 'GET' && req.method !== 'HEAD') answer = { status: 405, body: { status: 'method not allowed' } };
    else if (!route) answer = { status: 404, body: { status: 'not found', paths: [...this.routes.keys()] } };
    else {
      try {
        answer = await route();
      } catch {
        answer = { status: 503, body: { status: 'unavailable' } };
      }
    }
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': answer.contentType ?? 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}

/**
 * The process's listener on HEALTH_PORT with /health/live (the process answers), /health/ready
 * (`ready`) and /metrics (the process's Prometheus registry: in single-process mode, every
 * service's), or undefined when HEALTH_PORT is unset. Every app's main opens it first thing; more
 * routes go on the returned listener.
 */
export async function openHealthListener(config: PlatformConfig, ready: HealthRoute): Promise<HealthListener | undefined> {
  if (config.healthPort === undefined) return undefined;
  Metrics.enableProcessMetrics();
  const listener = new HealthListener()
    .route('/health/live', () => ({ status: 200, body: { status: 'ok' } }))
    .route('/health/ready', ready)
    .route('/metrics', async () => ({ status: 200, body: await Metrics.text(), contentType: Metrics.contentType }));
  const port = await listener.listen(config.healthPort, config.host);
  rootLogger().info({ healthPort: port }, `health listener on port ${port}: /health/live, /health/ready, /metrics`);
  return listener;
}
