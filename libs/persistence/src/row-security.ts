import type { QueryRunner } from 'typeorm';

/**
 * Row-level security on a user-owned table, keyed by the acting user (see ActingUser): one policy
 * shows and accepts only the rows whose owner column is `app.user_id`, the other lets a named
 * system path (`app.system` set) past. The services' roles are subject to both; the table's owner
 * (the migration login) is not, so migrations, the migrate step and operators see every row.
 */
export async function enableOwnerRowSecurity(q: QueryRunner, schema: string, table: string, ownerColumn = 'owner_id'): Promise<void> {
  const name = `"${schema}"."${table}"`;
  const own = `"${ownerColumn}" = nullif(current_setting('app.user_id', true), '')::uuid`;
  const system = `coalesce(current_setting('app.system', true), '') <> ''`;
  await q.query(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`);
  await q.query(`CREATE POLICY "${table}_owner_rls" ON ${name} USING (${own}) WITH CHECK (${own})`);
  await q.query(`CREATE POLICY "${table}_system_rls" ON ${name} USING (${system}) WITH CHECK (${system})`);
}

export async function disableOwnerRowSecurity(q: QueryRunner, schema: string, table: string): Promise<void> {
  const name = `"${schema}"."${table}"`;
  await q.query(`DROP POLICY IF EXISTS "${table}_system_rls" ON ${name}`);
  await q.query(`DROP POLICY IF EXISTS "${table}_owner_rls" ON ${name}`);
  await q.query(`ALTER TABLE ${name} DISABLE ROW LEVEL SECURITY`);
}
