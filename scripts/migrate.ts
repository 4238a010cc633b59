import 'reflect-metadata';
import { createRootLogger, describeError } from '#observability';
import { serviceDatabaseUrls } from '#config';
import { createServiceDataSource, loginOf, migrateSchema, provisionServiceRoles } from '#persistence';
import { loadConfigOrExit } from '#service-kit';
import { agentMigrations } from '../migrations/agent/index.js';
import { conversationMigrations } from '../migrations/conversation/index.js';
import { executionMigrations } from '../migrations/execution/index.js';
import { identityMigrations } from '../migrations/identity/index.js';
import { integrationMigrations } from '../migrations/integration/index.js';
import { workflowMigrations } from '../migrations/workflow/index.js';

/**
 * `npm run migrate`: every schema's pending migrations, then each service's role, then exit (a
 * Kubernetes Job runs this). It alone holds the privileged login (DATABASE_ADMIN_URL, or
 * DATABASE_URL when that is unset); each `<SERVICE>_DATABASE_URL` set names a service's own login,
 * which it creates or updates as a role that may use only that service's schema.
 * `migrate.js --wait`: apply nothing, wait until no schema the login may use has a pending
 * migration, then exit (an init container of every Deployment runs this with the service's own
 * login, so a release's pods start only on their schema).
 */
export const MIGRATIONS_BY_SCHEMA: Record<string, Function[]> = {
  identity: identityMigrations,
  agent: agentMigrations,
  workflow: workflowMigrations,
  conversation: conversationMigrations,
  integration: integrationMigrations,
  execution: executionMigrations,
};

export async function migrateAll(url: string): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const [schema, migrations] of Object.entries(MIGRATIONS_BY_SCHEMA)) {
    const dataSource = createServiceDataSource({ url, schema, entities: [], migrations, poolSize: 2 });
    await dataSource.initialize();
    try {
      applied[schema] = await migrateSchema(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
  return applied;
}

/** Migrations, then the role of every service whose own login is given (schema -> URL). */
export async function migrateAndProvision(adminUrl: string, serviceUrls: Record<string, string>): Promise<{ applied: Record<string, string[]>; roles: string[] }> {
  const applied = await migrateAll(adminUrl);
  const roles = await provisionServiceRoles(
    adminUrl,
    Object.entries(serviceUrls).map(([schema, url]) => ({ schema, ...loginOf(url) })),
  );
  return { applied, roles: roles.map((role) => role.user) };
}

/**
 * Per schema, the migrations this build has that the database has not recorded as applied. A
 * service's own login sees only its schema: a schema it may not use is another service's, and is
 * left out, while a schema not made yet is pending.
 */
export async function pendingMigrations(url: string): Promise<Record<string, string[]>> {
  const pending: Record<string, string[]> = {};
  for (const [schema, migrations] of Object.entries(MIGRATIONS_BY_SCHEMA)) {
    const dataSource = createServiceDataSource({ url, schema, entities: [], migrations, poolSize: 1 });
    await dataSource.initialize();
    try {
      const [visible] = (await dataSource.query(`SELECT has_schema_privilege(oid, 'USAGE') AS usable FROM pg_namespace WHERE nspname = $1`, [schema])) as Array<{ usable: boolean }>;
      if (visible && !visible.usable) continue;
      const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
      const [{ table }] = (await dataSource.query('SELECT to_regclass($1) AS table', [`"${schema}"."migrations"`])) as Array<{ table: string | null }>;
      const applied = new Set(table ? ((await dataSource.query(`SELECT name FROM "${schema}"."migrations"`)) as Array<{ name: string }>).map((r) => r.name) : []);
      const missing = known.filter((name) => !applied.has(name));
      if (missing.length > 0) pending[schema] = missing;
    } finally {
      await dataSource.destroy();
    }
  }
  return pending;
}

/** Polls until every schema is migrated; says once a minute what it still waits for. */
async function waitForMigrations(url: string, log: ReturnType<typeof createRootLogger>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const pending = await pendingMigrations(url).catch((err: unknown) => ({ error: describeError(err).message }));
    if (Object.keys(pending).length === 0) return;
    if (attempt % 30 === 0) log.info({ pending }, 'waiting for the migrate Job of this release');
    await new Promise((r) => setTimeout(r, 2000));
  }
}

if (process.argv[1]?.endsWith('migrate.js') && process.argv.includes('--wait')) {
  const config = loadConfigOrExit('migrate');
  const log = createRootLogger(config.logLevel, { app: 'migrate' }, config.logFormat);
  if (!config.databaseUrl) {
    process.stderr.write('migrate: DATABASE_URL is required\n');
    process.exit(78);
  }
  waitForMigrations(config.databaseUrl, log).then(
    () => {
      log.info('every schema is migrated');
      process.exit(0);
    },
    (err: unknown) => {
      log.fatal(describeError(err), 'waiting for migrations failed');
      process.exit(1);
    },
  );
} else if (process.argv[1]?.endsWith('migrate.js')) {
  const config = loadConfigOrExit('migrate');
  const log = createRootLogger(config.logLevel, { app: 'migrate' }, config.logFormat);
  const adminUrl = config.databaseAdminUrl ?? config.databaseUrl;
  if (!adminUrl) {
    process.stderr.write('migrate: DATABASE_ADMIN_URL (or DATABASE_URL) is required (npm start migrates its embedded database by itself)\n');
    process.exit(78);
  }
  let serviceUrls: Record<string, string>;
  try {
    serviceUrls = serviceDatabaseUrls(process.env, Object.keys(MIGRATIONS_BY_SCHEMA));
  } catch (err) {
    process.stderr.write(`migrate: ${(err as Error).message}\n`);
    process.exit(78);
  }
  migrateAndProvision(adminUrl, serviceUrls).then(
    ({ applied, roles }) => {
      log.info({ applied, roles }, 'migrations complete');
      const without = Object.keys(MIGRATIONS_BY_SCHEMA).filter((schema) => !serviceUrls[schema]);
      if (without.length > 0) log.warn({ services: without }, 'no <SERVICE>_DATABASE_URL for these services: they have no role of their own and must log in with a login that may use every schema');
      process.exit(0);
    },
    (err: unknown) => {
      log.fatal(describeError(err), 'migration failed');
      process.exit(1);
    },
  );
}
