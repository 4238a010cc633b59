import { createServiceDataSource, migrateSchema, schemaDrift } from '#persistence';
import type { MixedList } from 'typeorm';
import { createTestDatabase } from './test-env.js';

/**
 * Builds a service's schema from its migrations alone, in a database of its own, and answers what
 * TypeORM would still change to match the service's entities: nothing, when the two agree.
 */
export async function driftAfterMigrations(service: { name: string; entities: MixedList<Function>; migrations: MixedList<Function> }): Promise<string[]> {
  const url = await createTestDatabase(`drift${service.name}`);
  const dataSource = createServiceDataSource({ url, schema: service.name, entities: service.entities, migrations: service.migrations, poolSize: 2 });
  await dataSource.initialize();
  try {
    await migrateSchema(dataSource);
    return await schemaDrift(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
