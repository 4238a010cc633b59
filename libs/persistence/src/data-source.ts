import { DataSource, type MixedList } from 'typeorm';
import { ActingUserClient } from './acting-user.js';
import { PlatformNamingStrategy } from './naming.strategy.js';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's schema; it also holds the service's own migrations table. */
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
  poolSize?: number;
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    namingStrategy: new PlatformNamingStrategy(),
    applicationName: `agent-platform:${options.schema}`,
    extra: {
      // Tells the server which user each statement acts for (row-level security, see ActingUser).
      Client: ActingUserClient,
      pipeline: true,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 3000,
      // Without this a dropped server leaves idle sockets that fail the next query.
      keepAlive: true,
      idleTimeoutMillis: 30_000,
    },
  });
}

/**
 * Runs the schema's pending migrations under an advisory lock, so replicas starting together
 * migrate once. The schema is created first because TypeORM creates its migrations table (which
 * lives in the schema) before the first migration runs.
 */
export async function migrateSchema(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const done = await dataSource.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}
