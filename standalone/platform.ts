import type { PlatformConfig } from '#config';
import { rootLogger, startTracing } from '#observability';
import { createServiceDataSource, migrateSchema, provisionDerivedRoles } from '#persistence';
import { openHealthListener, type RunningService, Runtime, runUntilSignalled, startBusService } from '#service-kit';
import { API_PREFIX, createGateway, listenGateway, PLAYGROUND_PATH } from '../apps/gateway/src/gateway.bootstrap.js';
import { ALL_SERVICES } from './apps.js';
import type { EmbeddedDatabase } from './embedded-database.js';
import { loadOrCreateLocalSecret } from './local-secret.js';

/** Runs every service and the gateway in this process until a signal, on the embedded PostgreSQL unless DATABASE_URL is set. */
export function runPlatform(loaded: PlatformConfig, database: Promise<EmbeddedDatabase> | undefined): void {
  runUntilSignalled(async () => {
    const log = rootLogger();
    const stopTracing = await startTracing('platform');
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
      await stopTracing?.();
    };
    try {
      config.jwtSecret ??= await loadOrCreateLocalSecret(config.dataDir, 'jwtSecret');
      // Provider keys are encrypted at rest; a zero-configuration start keeps its own master key too.
      process.env.ENCRYPTION_KEYS ??= `local:${Buffer.from(await loadOrCreateLocalSecret(config.dataDir, 'encryptionKey'), 'hex').toString('base64')}`;
      runtime = await Runtime.create(config, 'platform');
      const logins = await serviceLogins(config);
      for (const definition of ALL_SERVICES) services.push(await startBusService(definition, runtime, { startUpLogLevel: 'debug', databaseUrl: logins[definition.name] }));
      const gateway = await createGateway(config, runtime.clientFor('gateway'), runtime.createBroadcast('gateway'));
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

/**
 * What the migrate step does for a deployment, done here: every schema migrated through the
 * privileged login (DATABASE_ADMIN_URL, else DATABASE_URL, else the embedded server's), then a role
 * per service that may use only its schema, with a new password each start. A login that may not
 * create roles (a managed database's plain user) leaves every service on that login, and says so.
 */
async function serviceLogins(config: PlatformConfig): Promise<Record<string, string | undefined>> {
  const adminUrl = config.databaseAdminUrl ?? config.databaseUrl;
  if (!adminUrl) throw new Error('no database URL');
  if (config.migrateOnStart) {
    for (const definition of ALL_SERVICES) {
      const dataSource = createServiceDataSource({ url: adminUrl, schema: definition.name, entities: [], migrations: definition.migrations, poolSize: 2 });
      await dataSource.initialize();
      try {
        const applied = await migrateSchema(dataSource);
        if (applied.length > 0) rootLogger().debug({ service: definition.name, migrations: applied }, 'migrations applied');
      } finally {
        await dataSource.destroy();
      }
    }
  }
  try {
    return await provisionDerivedRoles(
      adminUrl,
      ALL_SERVICES.map((definition) => definition.name),
    );
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    rootLogger().warn('the database login may not create roles, so every service uses it: set DATABASE_ADMIN_URL to a login with CREATEROLE for a role per service (see README, Database roles)');
    return {};
  }
}
