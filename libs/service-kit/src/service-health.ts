import type { DataSource } from 'typeorm';
import type { RunningService } from './bus-service.js';
import type { HealthAnswer } from './health-listener.js';
import type { Runtime } from './runtime.js';

const DATABASE_CHECK_TIMEOUT_MS = 2000;

type Check = 'ok' | 'down';

/**
 * What /health/live and /health/ready mean for one bus service process. Live: the process answers
 * (a restart cures nothing else). Ready: its NATS connection is up, PostgreSQL answers, and every
 * request subscription and event consumer is attached; false while starting and once stopping.
 */
export class ServiceHealth {
  private running: { runtime: Runtime; service: RunningService } | undefined;
  private stopping = false;

  constructor(readonly name: string) {}

  started(runtime: Runtime, service: RunningService): void {
    this.running = { runtime, service };
  }

  /** From the first signal on, readiness says so, while in-flight work drains. */
  stop(): void {
    this.stopping = true;
  }

  async ready(): Promise<HealthAnswer> {
    if (this.stopping) return { status: 503, body: { status: 'stopping', service: this.name } };
    if (!this.running) return { status: 503, body: { status: 'starting', service: this.name } };
    const { runtime, service } = this.running;
    const checks: Record<'nats' | 'database' | 'subscriptions', Check> = {
      nats: runtime.isConnected() ? 'ok' : 'down',
      database: await reachable(service.dataSource),
      subscriptions: service.server.listening() ? 'ok' : 'down',
    };
    const ok = Object.values(checks).every((c) => c === 'ok');
    return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', service: this.name, checks } };
  }
}

async function reachable(dataSource: DataSource): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => (timer = setTimeout(() => resolve('down'), DATABASE_CHECK_TIMEOUT_MS)));
  const query = dataSource.query('SELECT 1').then(
    (): Check => 'ok',
    (): Check => 'down',
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
