import type { QueryRunner } from 'typeorm';

const ACTING_USER = `nullif(current_setting('app.user_id', true), '')::uuid`;
const SYSTEM = `coalesce(current_setting('app.system', true), '') <> ''`;

export interface OwnerRowSecurityOptions {
  /**
   * Rows of other owners every user may read, never write (a SQL condition on the row): built-in
   * templates (`"owner_id" IS NULL`), shared MCP servers (`"is_shared"`).
   */
  readableByAll?: string;
}

/**
 * Row-level security on a user-owned table, keyed by the acting user (see ActingUser): one policy
 * shows and accepts only the rows whose owner column is `app.user_id`, the other lets a named
 * system path (`app.system` set) past. The services' roles are subject to both; the table's owner
 * (the migration login) is not, so migrations, the migrate step and operators see every row.
 * `readableByAll` adds a read-only policy: those rows are shown to every user, and an UPDATE or
 * DELETE of them by anyone but their owner touches nothing.
 */
export async function enableOwnerRowSecurity(q: QueryRunner, schema: string, table: string, ownerColumn = 'owner_id', options: OwnerRowSecurityOptions = {}): Promise<void> {
  const name = `"${schema}"."${table}"`;
  const own = `"${ownerColumn}" = ${ACTING_USER}`;
  await q.query(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`);
  await q.query(`CREATE POLICY "${table}_owner_rls" ON ${name} USING (${own}) WITH CHECK (${own})`);
  await q.query(`CREATE POLICY "${table}_system_rls" ON ${name} USING (${SYSTEM}) WITH CHECK (${SYSTEM})`);
  if (options.readableByAll) await q.query(`CREATE POLICY "${table}_read_rls" ON ${name} FOR SELECT USING (${options.readableByAll})`);
}

export async function disableOwnerRowSecurity(q: QueryRunner, schema: string, table: string): Promise<void> {
  const name = `"${schema}"."${table}"`;
  await q.query(`DROP POLICY IF EXISTS "${table}_read_rls" ON ${name}`);
  await q.query(`DROP POLICY IF EXISTS "${table}_system_rls" ON ${name}`);
  await q.query(`DROP POLICY IF EXISTS "${table}_owner_rls" ON ${name}`);
  await q.query(`ALTER TABLE ${name} DISABLE ROW LEVEL SECURITY`);
}

/**
 * Row-level security on a table whose rows belong to a parent row of the same schema (a version
 * to its agent, a fire to its schedule): a row is shown and accepted when its parent is visible
 * to the acting user, so it follows the parent's own policies (a shared parent's children are
 * readable by all its users, too). A named system path gets past as for the owner tables.
 */
export async function enableParentRowSecurity(q: QueryRunner, schema: string, table: string, parentColumn: string, parentTable: string): Promise<void> {
  const name = `"${schema}"."${table}"`;
  // OFFSET 0 keeps the check a lookup of the row's parent by primary key. Without it the planner
  // may answer EXISTS with a hash of every parent the user can see, built once per statement: for
  // `SELECT max(seq) ... WHERE run_id = $1` (each appended run event) that read all of the user's runs.
  const parent = `EXISTS (SELECT 1 FROM "${schema}"."${parentTable}" p WHERE p."id" = ${name}."${parentColumn}" OFFSET 0)`;
  await q.query(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`);
  await q.query(`CREATE POLICY "${table}_parent_rls" ON ${name} USING (${parent}) WITH CHECK (${parent})`);
  await q.query(`CREATE POLICY "${table}_system_rls" ON ${name} USING (${SYSTEM}) WITH CHECK (${SYSTEM})`);
}

export async function disableParentRowSecurity(q: QueryRunner, schema: string, table: string): Promise<void> {
  const name = `"${schema}"."${table}"`;
  await q.query(`DROP POLICY IF EXISTS "${table}_system_rls" ON ${name}`);
  await q.query(`DROP POLICY IF EXISTS "${table}_parent_rls" ON ${name}`);
  await q.query(`ALTER TABLE ${name} DISABLE ROW LEVEL SECURITY`);
}

/**
 * Row-level security on a child table whose rows may be written by the statement that writes
 * their parent (an agent with its first version, a run with its first events): a parent-following
 * policy (enableParentRowSecurity) refuses those, because a statement does not see its own
 * inserts. Such a table carries its parent's owner in an `owner_id` column of its own instead:
 * - filled on insert when not given, with the acting user, else (a named system path) the parent's
 *   owner;
 * - bound to the parent's owner by a foreign key on (parent, owner), which PostgreSQL checks at the
 *   statement's end, when the parent is there: a row for another user's parent is refused;
 * - under the owner policies of enableOwnerRowSecurity.
 * Existing rows get their parent's owner (the table's user triggers, such as an immutability
 * guard, are off for that one update).
 */
export async function enableCarriedOwnerRowSecurity(q: QueryRunner, schema: string, table: string, parentColumn: string, parentTable: string): Promise<void> {
  const name = `"${schema}"."${table}"`;
  const parent = `"${schema}"."${parentTable}"`;
  await q.query(`ALTER TABLE ${name} ADD COLUMN "owner_id" uuid`);
  await q.query(`ALTER TABLE ${name} DISABLE TRIGGER USER`);
  await q.query(`UPDATE ${name} c SET "owner_id" = p."owner_id" FROM ${parent} p WHERE p."id" = c."${parentColumn}"`);
  await q.query(`ALTER TABLE ${name} ENABLE TRIGGER USER`);
  await q.query(`ALTER TABLE ${name} ALTER COLUMN "owner_id" SET NOT NULL`);
  await q.query(`CREATE UNIQUE INDEX "${parentTable}_id_owner_uq" ON ${parent} ("id", "owner_id")`);
  await q.query(`ALTER TABLE ${name} ADD CONSTRAINT "${table}_parent_owner_fk" FOREIGN KEY ("${parentColumn}", "owner_id") REFERENCES ${parent} ("id", "owner_id")`);
  await q.query(`
    CREATE FUNCTION "${schema}"."${table}_fill_owner"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW."owner_id" IS NULL THEN
        NEW."owner_id" := coalesce(${ACTING_USER}, (SELECT p."owner_id" FROM ${parent} p WHERE p."id" = NEW."${parentColumn}"));
      END IF;
      RETURN NEW;
    END $$`);
  await q.query(`CREATE TRIGGER "${table}_fill_owner" BEFORE INSERT ON ${name} FOR EACH ROW EXECUTE FUNCTION "${schema}"."${table}_fill_owner"()`);
  await enableOwnerRowSecurity(q, schema, table);
}

export async function disableCarriedOwnerRowSecurity(q: QueryRunner, schema: string, table: string, parentTable: string): Promise<void> {
  const name = `"${schema}"."${table}"`;
  await disableOwnerRowSecurity(q, schema, table);
  await q.query(`DROP TRIGGER IF EXISTS "${table}_fill_owner" ON ${name}`);
  await q.query(`DROP FUNCTION IF EXISTS "${schema}"."${table}_fill_owner"()`);
  await q.query(`ALTER TABLE ${name} DROP CONSTRAINT IF EXISTS "${table}_parent_owner_fk"`);
  await q.query(`DROP INDEX IF EXISTS "${schema}"."${parentTable}_id_owner_uq"`);
  await q.query(`ALTER TABLE ${name} DROP COLUMN IF EXISTS "owner_id"`);
}
