import { type BusServiceDefinition, startBusService } from './bus-service.js';
import { loadConfigOrExit, runUntilSignalled } from './process.js';
import { Runtime } from './runtime.js';

/** The whole of apps/<service>/src/main.ts: one bus service in its own process over NATS. */
export function runServiceProcess(definition: BusServiceDefinition, options: { needsJwt?: boolean } = {}): void {
  const config = loadConfigOrExit(definition.name, { database: true, jwt: options.needsJwt ?? false });
  runUntilSignalled(async () => {
    const runtime = await Runtime.create(config, definition.name);
    const service = await startBusService(definition, runtime);
    return async () => {
      await service.close();
      await runtime.close();
    };
  });
}
