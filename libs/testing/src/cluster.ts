import { randomBytes } from 'node:crypto';
import { AppProcess } from './app-process.js';
import { ApiClient } from './http-client.js';

export const BUS_SERVICES = ['identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'] as const;

export interface ClusterOptions {
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  /** Per-app environment on top of the shared one. */
  perApp?: Partial<Record<(typeof BUS_SERVICES)[number] | 'gateway', Record<string, string>>>;
  env?: Record<string, string>;
  /** How long to wait for every app to be ready (default 45 s): longer on a loaded machine. */
  readyTimeoutMs?: number;
}

/** The platform as deployed: every app its own process, talking over the real NATS. */
export class Cluster {
  readonly apps = new Map<string, AppProcess>();
  readonly api: ApiClient;
  readonly port: number;

  private constructor(
    readonly options: ClusterOptions,
    port: number,
  ) {
    this.port = port;
    this.api = new ApiClient(`http://127.0.0.1:${port}`);
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const cluster = new Cluster(options, port);
    const shared = {
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      BUS_NAMESPACE: options.namespace,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      ...options.env,
    };
    for (const name of [...BUS_SERVICES, 'gateway'] as const) {
      const env = { ...shared, ...(name === 'gateway' ? { PORT: String(port) } : {}), ...options.perApp?.[name] };
      cluster.apps.set(name, AppProcess.forApp(name, env));
    }
    try {
      for (const app of cluster.apps.values()) app.start();
      await cluster.waitReady(options.readyTimeoutMs);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  app(name: string): AppProcess {
    const app = this.apps.get(name);
    if (!app) throw new Error(`no app ${name}`);
    return app;
  }

  /** Waits until the gateway reports NATS, PostgreSQL and every service ready. */
  async waitReady(timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      for (const app of this.apps.values()) {
        if (app.exitCode !== undefined) throw new Error(`${app.name} exited (${app.exitCode}):\n${app.output.slice(-3000)}`);
      }
      try {
        const res = await this.api.get('/api/v1/health/ready');
        if (res.status === 200) return;
        last = res.text;
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`cluster not ready within ${timeoutMs} ms: ${last}`);
  }

  /** Everything every app printed, for asserting on what reached the logs. */
  logs(): string {
    return [...this.apps.values()].map((a) => a.output).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => a.stop()));
  }
}
