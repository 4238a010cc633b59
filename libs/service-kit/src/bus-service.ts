import { type INestMicroservice, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServiceName } from '#contracts';
import { type BusServer, EventDispatcher, Outbox, OutboxCommitSubscriber, OutboxRelay, RpcPassthroughFilter } from '#messaging';
import { describeError, JsonLogger, Metrics, rootLogger } from '#observability';
import { canMigrate, createServiceDataSource, Database, migrateSchema } from '#persistence';
import type { DataSource, MixedList } from 'typeorm';
import type { Runtime } from './runtime.js';
import { ServiceCoreModule } from './service-core.module.js';

/** Everything that makes an app a bus service: what apps/<service>/src/<service>.app.ts exports. */
export interface BusServiceDefinition {
  name: ServiceName;
  module: Type;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
  version?: string;
}

export interface RunningService {
  name: string;
  app: INestMicroservice;
  dataSource: DataSource;
  database: Database;
  relay: OutboxRelay;
  /** Its request subscriptions and event consumers; `listening()` says whether all are up. */
  server: BusServer;
  close(): Promise<void>;
}

const PLATFORM_VERSION = process.env.npm_package_version ?? '0.1.0';

/** Connects to PostgreSQL, waiting for it rather than exiting: a database restart must not need an operator. */
async function connectWithRetry(dataSource: DataSource, service: string): Promise<void> {
  const log = rootLogger().child({ service });
  for (let attempt = 1; ; attempt++) {
    try {
      await dataSource.initialize();
      return;
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) log.warn({ ...describeError(err), attempt }, 'PostgreSQL not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
    }
  }
}

/**
 * `startUpLogLevel` is the level of the lines this says while starting (migrations applied, ready):
 * `info` where each service is its own process, `debug` where one process starts them all and says
 * once that it is up.
 */
export async function startBusService(
  definition: BusServiceDefinition,
  runtime: Runtime,
  {
    startUpLogLevel = 'info',
    databaseUrl = runtime.config.databaseUrl,
  }: {
    startUpLogLevel?: 'info' | 'debug';
    /** The login this service uses (single-process mode gives each service its own role); default DATABASE_URL. */
    databaseUrl?: string;
  } = {},
): Promise<RunningService> {
  const { name } = definition;
  const log = rootLogger().child({ service: name });
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');

  const dataSource = createServiceDataSource({ url: databaseUrl, schema: name, entities: definition.entities, migrations: definition.migrations });
  await connectWithRetry(dataSource, name);
  // A service's own role may not create anything: its migrations are the migrate step's.
  if (runtime.config.migrateOnStart && (await canMigrate((sql) => dataSource.query(sql)))) {
    const applied = await migrateSchema(dataSource);
    if (applied.length > 0) log[startUpLogLevel]({ migrations: applied }, 'migrations applied');
  } else if (await dataSource.showMigrations()) {
    throw new Error(`the ${name} schema has migrations this build needs and the database lacks: run the migrate step (npm run migrate with DATABASE_ADMIN_URL) first`);
  }

  const database = new Database(dataSource);
  const commitHook = new OutboxCommitSubscriber();
  dataSource.subscribers.push(commitHook);
  const relay = new OutboxRelay(dataSource, name, runtime.createPublisher());
  commitHook.bind(relay);
  const outbox = new Outbox(name, database, (rows) => relay.committed(rows));

  @Module({ imports: [ServiceCoreModule.forService(name, database, runtime, outbox), definition.module] })
  class ServiceRootModule {}

  const server = runtime.createServer(name);
  server.attach({
    dispatcher: new EventDispatcher(database, name),
    health: {
      subject: `${name}.health.check`,
      probe: async () => ({
        service: name,
        database: await dataSource.query('SELECT 1').then(
          () => 'ok',
          () => 'down',
        ),
        version: definition.version ?? PLATFORM_VERSION,
      }),
    },
  });
  const app = await NestFactory.createMicroservice(ServiceRootModule, { strategy: server, logger: new JsonLogger(), abortOnError: false });
  app.useGlobalFilters(new RpcPassthroughFilter());
  await app.listen();
  if (runtime.config.outboxRelay) relay.start();
  const unwatchOutbox = Metrics.watchOutbox(name, () => relay.lag());
  log[startUpLogLevel]({ transport: runtime.transport }, `${name} service ready`);

  return {
    name,
    app,
    dataSource,
    database,
    relay,
    server,
    async close() {
      unwatchOutbox();
      await relay.stop();
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
