import type { DataSource } from 'typeorm';

/**
 * The statements TypeORM would run to make the database match the entities (what
 * `synchronize` would do, never run here). Empty means the entities and the migrations describe
 * the same tables; a test holds every service to that, so the two cannot drift apart.
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
