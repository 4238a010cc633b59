import { randomBytes } from 'node:crypto';
import { derivedRoleName, generatedPassword, urlWithLogin } from '#persistence';
import { AppProcess } from './app-process.js';
import { ApiClient } from './http-client.js';
import { listenPort } from './test-env.js';

export const BUS_SERVICES = ['identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'] as const;

type AppName = (typeof BUS_SERVICES)[number] | 'gateway';

export interface ClusterOptions {
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  /** Per-app environment on top of the shared one. */
  perApp?: Partial<Record<AppName, Record<string, string>>>;
  env?: Record<string, string>;
  /** Processes per app, gateway included (default 1): replicas share one NATS queue group each. */
  replicas?: number;
  /** How long start() waits for every app to be ready (default 240 s): longer on a loaded machine. */
  readyTimeoutMs?: number;
  /**
   * As deployed (default true): the migrate step (dist/scripts/migrate.js) runs first with
   * `databaseUrl` as its privileged login and creates a role per service, and each service logs in
   * as its role. False: every app logs in with `databaseUrl` and migrates its own schema.
   */
  serviceRoles?: boolean;
}

/**
 * The platform as deployed: every app its own process (or several, `replicas`), talking over the
 * real NATS. Every bus service opens its health listener on a free port (HEALTH_PORT=0).
 */
export class Cluster {
  /** Every process by name: the first replica of an app under the app's name, the others as `<app>#<n>`. */
  readonly apps = new Map<string, AppProcess>();
  private readonly gatewayPorts = new Map<AppProcess, number>();
  private readonly envs = new Map<AppName, Record<string, string>>();
  private started = 0;
  private readonly clients = new Map<number, ApiClient>();
  /** Each bus service's own login (schema -> URL), when the cluster runs with service roles. */
  readonly databaseLogins: Partial<Record<(typeof BUS_SERVICES)[number], string>> = {};

  private constructor(readonly options: ClusterOptions) {}

  /** The first gateway's port and client. */
  get port(): number {
    return this.gatewayPorts.get(this.app('gateway')) as number;
  }

  get api(): ApiClient {
    return this.gatewayApi(this.app('gateway'));
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    const shared = {
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      BUS_NAMESPACE: options.namespace,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      ...options.env,
    };
    if (options.serviceRoles !== false) await cluster.migrate();
    for (const name of [...BUS_SERVICES, 'gateway'] as const) {
      const login = name === 'gateway' ? {} : cluster.databaseLogins[name] ? { DATABASE_URL: cluster.databaseLogins[name] } : {};
      cluster.envs.set(name, { ...shared, ...(name === 'gateway' ? {} : { HEALTH_PORT: '0' }), ...login, ...options.perApp?.[name] });
      for (let i = 0; i < (options.replicas ?? 1); i++) cluster.add(name);
    }
    try {
      for (const app of cluster.apps.values()) app.start();
      await cluster.waitReady(options.readyTimeoutMs);
      // The gateway's check reaches one replica of each service; each process must be ready itself.
      if ((options.replicas ?? 1) > 1) await Promise.all([...cluster.apps.values()].map((app) => cluster.waitAppReady(app, options.readyTimeoutMs)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /**
   * The migrate step as the deployments run it: every schema migrated through the privileged
   * login, then a role per service (named after the database, so parallel specs never share one;
   * the global teardown drops them).
   */
  private async migrate(): Promise<void> {
    const database = decodeURIComponent(new URL(this.options.databaseUrl).pathname.slice(1));
    const env: Record<string, string> = { DATABASE_ADMIN_URL: this.options.databaseUrl, LOG_LEVEL: 'warn' };
    for (const service of BUS_SERVICES) {
      const login = urlWithLogin(this.options.databaseUrl, derivedRoleName(database, service), generatedPassword());
      this.databaseLogins[service] = login;
      env[`${service.toUpperCase()}_DATABASE_URL`] = login;
    }
    const step = new AppProcess('migrate', 'dist/scripts/migrate.js', env).start();
    const deadline = Date.now() + 120_000;
    while (step.exitCode === undefined) {
      if (Date.now() > deadline) {
        await step.kill();
        throw new Error(`the migrate step did not finish within 120 s:\n${step.output.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (step.exitCode !== 0) throw new Error(`the migrate step failed (${step.exitCode}):\n${step.output.slice(-3000)}`);
  }

  app(name: string): AppProcess {
    const app = this.apps.get(name);
    if (!app) throw new Error(`no app ${name}`);
    return app;
  }

  /** The running processes of one app (its replicas). */
  replicas(name: AppName): AppProcess[] {
    return [...this.apps.entries()].filter(([key]) => key === name || key.startsWith(`${name}#`)).map(([, app]) => app);
  }

  /**
   * The client of one gateway process: the same object every time, so a spec may wrap its
   * `request` (to record every reply it scans for secrets) once and see every call.
   */
  gatewayApi(gateway: AppProcess): ApiClient {
    const port = this.gatewayPorts.get(gateway);
    if (port === undefined) throw new Error(`${gateway.name} is not a gateway of this cluster`);
    let client = this.clients.get(port);
    if (!client) {
      client = new ApiClient(`http://127.0.0.1:${port}`);
      this.clients.set(port, client);
    }
    return client;
  }

  /** Starts one more process of an app (a new replica, as a rollout does) and waits until it is ready. */
  async startReplica(name: AppName, timeoutMs = 60_000): Promise<AppProcess> {
    const app = this.add(name).start();
    await this.waitAppReady(app, timeoutMs);
    return app;
  }

  /** Stops one process with SIGTERM (its graceful shutdown, which ends by itself within 10 s) and forgets it. */
  async stopReplica(app: AppProcess): Promise<void> {
    await app.stop(15_000);
    for (const [key, value] of this.apps) if (value === app) this.apps.delete(key);
    this.gatewayPorts.delete(app);
  }

  /** One process ready by its own health endpoint: a bus service's listener, a gateway's HTTP readiness. */
  async waitAppReady(app: AppProcess, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (app.exitCode !== undefined) throw new Error(`${app.name} exited (${app.exitCode}):\n${app.output.slice(-3000)}`);
      const port = this.gatewayPorts.get(app) ?? app.healthPort();
      const path = this.gatewayPorts.has(app) ? '/api/v1/health/ready' : '/health/ready';
      if (port !== undefined) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
          if (res.status === 200) return;
          last = await res.text();
        } catch (err) {
          last = String(err);
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${app.name} not ready within ${timeoutMs} ms: ${last}`);
  }

  /** Waits until the gateway reports NATS, PostgreSQL and every service ready (status "ok", not "degraded"). */
  async waitReady(timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      for (const app of this.apps.values()) {
        if (app.exitCode !== undefined) throw new Error(`${app.name} exited (${app.exitCode}):\n${app.output.slice(-3000)}`);
      }
      try {
        const res = await this.api.get('/api/v1/health/ready');
        if (res.status === 200 && (res.body as { status?: string }).status === 'ok') return;
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

  private add(name: AppName): AppProcess {
    const existing = this.replicas(name).length;
    const key = existing === 0 && !this.apps.has(name) ? name : `${name}#${++this.started}`;
    const env = { ...(this.envs.get(name) as Record<string, string>) };
    let port: number | undefined;
    if (name === 'gateway') {
      port = listenPort();
      env.PORT = String(port);
    }
    const app = AppProcess.forApp(name, env);
    this.apps.set(key, app);
    if (port !== undefined) this.gatewayPorts.set(app, port);
    return app;
  }
}
