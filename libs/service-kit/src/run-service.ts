import { startTracing } from '#observability';
import { type BusServiceDefinition, startBusService } from './bus-service.js';
import { openHealthListener } from './health-listener.js';
import { loadConfigOrExit, runUntilSignalled } from './process.js';
import { Runtime } from './runtime.js';
import { ServiceHealth } from './service-health.js';

/** The whole of apps/<service>/src/main.ts: one bus service in its own process over NATS. */
export function runServiceProcess(definition: BusServiceDefinition, options: { needsJwt?: boolean } = {}): void {
  const config = loadConfigOrExit(definition.name, { database: true, jwt: options.needsJwt ?? false });
  runUntilSignalled(async () => {
    // Before anything that makes spans; nothing is loaded when no OTEL_* variable asks for traces.
    const stopTracing = await startTracing(definition.name);
    const health = new ServiceHealth(definition.name);
    // Opened first, so probes get an answer ("starting") while NATS and PostgreSQL are awaited.
    const listener = await openHealthListener(config, () => health.ready());
    const runtime = await Runtime.create(config, definition.name);
    const service = await startBusService(definition, runtime);
    health.started(runtime, service);
    return async () => {
      health.stop();
      await service.close();
      await runtime.close();
      await listener?.close();
      await stopTracing?.();
    };
  });
}
