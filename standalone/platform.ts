import type { PlatformConfig } from '#config';
import { rootLogger } from '#observability';
import { openHealthListener, type RunningService, Runtime, runUntilSignalled, startBusService } from '#service-kit';
import { API_PREFIX, createGateway, listenGateway, PLAYGROUND_PATH } from '../apps/gateway/src/gateway.bootstrap.js';
import { ALL_SERVICES } from './apps.js';
import type { EmbeddedDatabase } from './embedded-database.js';
import { loadOrCreateLocalSecret } from './local-secret.js';

/** Runs every service and the gateway in this process until a signal, on the embedded PostgreSQL unless DATABASE_URL is set. */
export function runPlatform(loaded: PlatformConfig, database: Promise<EmbeddedDatabase> | undefined): void {
  runUntilSignalled(async () => {
    const log = rootLogger();
    const embedded = await database;
    const config = { ...loaded };
    if (embedded) {
      config.databaseUrl = embedded.url;
      log.debug({ directory: embedded.directory, port: embedded.port }, 'using the embedded PostgreSQL (set DATABASE_URL to use your own)');
    }
    let runtime: Runtime | undefined;
    let state: 'starting' | 'serving' | 'stopping' = 'starting';
    // HEALTH_PORT (the image sets it): ready once everything in this process is up.
    const health = await openHealthListener(config, () => ({ status: state === 'serving' ? 200 : 503, body: { status: state === 'serving' ? 'ok' : state } }));
    const services: RunningService[] = [];
    const stop = async () => {
      state = 'stopping';
      for (const service of services.reverse()) await service.close();
      await runtime?.close();
      await embedded?.stop();
      await health?.close();
    };
    try {
      config.jwtSecret ??= await loadOrCreateLocalSecret(config.dataDir, 'jwtSecret');
      // Provider keys are encrypted at rest; a zero-configuration start keeps its own master key too.
      process.env.ENCRYPTION_KEYS ??= `local:${Buffer.from(await loadOrCreateLocalSecret(config.dataDir, 'encryptionKey'), 'hex').toString('base64')}`;
      runtime = await Runtime.create(config, 'platform');
      for (const definition of ALL_SERVICES) services.push(await startBusService(definition, runtime, { startUpLogLevel: 'debug' }));
      const gateway = await createGateway(config, runtime.client, runtime.createBroadcast());
      const url = await listenGateway(gateway, config).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        throw new Error(`port ${config.port} is taken by another program (another platform?): set PORT to a free port`);
      });
      state = 'serving';
      log.info(
        { playground: `${url}${PLAYGROUND_PATH}`, api: `${url}/${API_PREFIX}`, docs: `${url}/docs`, ...(runtime.transport === 'nats' ? { transport: 'nats' } : {}) },
        `Agent platform is up: try an agent at ${url}${PLAYGROUND_PATH}, API at ${url}/${API_PREFIX}, docs at ${url}/docs`,
      );
      return async () => {
        await gateway.close();
        await stop();
      };
    } catch (err) {
      await stop().catch(() => undefined);
      throw err;
    }
  });
}
