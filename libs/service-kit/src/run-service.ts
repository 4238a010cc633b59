import { rootLogger } from '#observability';
import { type BusServiceDefinition, startBusService } from './bus-service.js';
import { HealthListener } from './health-listener.js';
import { loadConfigOrExit, runUntilSignalled } from './process.js';
import { Runtime } from './runtime.js';
import { ServiceHealth } from './service-health.js';

/** The whole of apps/<service>/src/main.ts: one bus service in its own process over NATS. */
export function runServiceProcess(definition: BusServiceDefinition, options: { needsJwt?: boolean } = {}): void {
  const config = loadConfigOrExit(definition.name, { database: true, jwt: options.needsJwt ?? false });
  runUntilSignalled(async () => {
    const health = new ServiceHealth(definition.name);
    // Opened first, so probes get an answer ("starting") while NATS and PostgreSQL are awaited.
    // Routes other than health (e.g. /metrics) are added to this listener.
    const listener =
      config.healthPort === undefined
        ? undefined
        : new HealthListener().route('/health/live', () => health.live()).route('/health/ready', () => health.ready());
    if (listener && config.healthPort !== undefined) {
      const port = await listener.listen(config.healthPort, config.host);
      rootLogger().info({ healthPort: port }, `health listener on port ${port}: /health/live, /health/ready`);
    }
    const runtime = await Runtime.create(config, definition.name);
    const service = await startBusService(definition, runtime);
    health.started(runtime, service);
    return async () => {
      health.stop();
      await service.close();
      await runtime.close();
      await listener?.close();
    };
  });
}
