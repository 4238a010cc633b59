import 'reflect-metadata';
import { createRootLogger, describeError } from '#observability';
import { createServiceDataSource, migrateSchema } from '#persistence';
import { loadConfigOrExit } from '#service-kit';
import { agentMigrations } from '../migrations/agent/index.js';
import { conversationMigrations } from '../migrations/conversation/index.js';
import { executionMigrations } from '../migrations/execution/index.js';
import { identityMigrations } from '../migrations/identity/index.js';
import { integrationMigrations } from '../migrations/integration/index.js';
import { workflowMigrations } from '../migrations/workflow/index.js';

/** `npm run migrate`: every schema's pending migrations, then exit (a Kubernetes Job runs this). */
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

if (process.argv[1]?.endsWith('migrate.js')) {
  const config = loadConfigOrExit('migrate');
  const log = createRootLogger(config.logLevel, { app: 'migrate' }, config.logFormat);
  if (!config.databaseUrl) {
    process.stderr.write('migrate: DATABASE_URL is required (npm start migrates its embedded database by itself)\n');
    process.exit(78);
  }
  migrateAll(config.databaseUrl).then(
    (applied) => {
      log.info({ applied }, 'migrations complete');
      process.exit(0);
    },
    (err: unknown) => {
      log.fatal(describeError(err), 'migration failed');
      process.exit(1);
    },
  );
}
