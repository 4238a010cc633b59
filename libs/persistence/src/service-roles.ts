import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';

/** One service's login: it may use its own schema and nothing else. */
export interface ServiceRole {
  schema: string;
  user: string;
  password: string;
}

/** PostgreSQL's limit on an identifier (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The role name a zero-configuration start gives a service: `<database>_<schema>`. Role names are
 * shared by every database of a PostgreSQL server, so the database's name keeps two platforms (or
 * two test runs) on one server apart; a name too long for PostgreSQL keeps its start and gets a hash.
 */
export function derivedRoleName(database: string, schema: string): string {
  const name = `${database}_${schema}`;
  if (name.length <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha256').update(database).digest('hex').slice(0, 8);
  return `${database.slice(0, MAX_IDENTIFIER - schema.length - hash.length - 2)}_${hash}_${schema}`;
}

/** `url` with another login (host, port, database and options kept). */
export function urlWithLogin(url: string, user: string, password: string): string {
  const next = new URL(url);
  next.username = encodeURIComponent(user);
  next.password = encodeURIComponent(password);
  return next.toString();
}

/** The login a URL carries. */
export function loginOf(url: string): { user: string; password: string } {
  const parsed = new URL(url);
  return { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/**
 * A SCRAM-SHA-256 verifier for the password (RFC 5802, as PostgreSQL stores it): the role's
 * password is set from this, so the plain password never reaches the server or its statement log.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export class ServiceRoleError extends Error {
  override name = 'ServiceRoleError';
}

/**
 * Creates (or updates) each service's role through the privileged connection `adminUrl`, after the
 * migrations: a login with no attribute beyond LOGIN (not superuser, no BYPASSRLS, creates
 * nothing), allowed to read and write the tables of its own schema, read its migrations table and
 * nothing else. Other schemas grant nothing to PUBLIC, so a role reaches no other service's tables.
 * Run again after every migration: the grants cover the tables that exist when it runs (and default
 * privileges those the same admin creates later).
 */
export async function provisionServiceRoles(adminUrl: string, roles: readonly ServiceRole[] | ((database: string) => ServiceRole[])): Promise<ServiceRole[]> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const [{ me, db }] = (await admin.query<{ me: string; db: string }>('SELECT current_user AS me, current_database() AS db')).rows;
    const list = typeof roles === 'function' ? roles(db) : roles;
    for (const role of list) {
      if (role.user === me) throw new ServiceRoleError(`the ${role.schema} service's database user is the migration user (${me}): give it a role of its own`);
      if (!role.password) throw new ServiceRoleError(`the ${role.schema} service's database URL has no password`);
      await provisionOne(admin, db, role);
    }
    return [...list];
  } finally {
    await admin.end();
  }
}

async function provisionOne(admin: pg.Client, database: string, role: ServiceRole): Promise<void> {
  const r = ident(role.user);
  const s = ident(role.schema);
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(role.password)}'`;
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query('BEGIN');
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.user]);
      await admin.query(`${exists.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${r} WITH ${attributes}`);
      await admin.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${r}`);
      await admin.query(`GRANT USAGE ON SCHEMA ${s} TO ${r}`);
      await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`);
      await admin.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`);
      // Its migrations are the migrate step's: the service may see them, not write them.
      await admin.query(`REVOKE INSERT, UPDATE, DELETE ON ${s}."migrations" FROM ${r}`);
      await admin.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`);
      await admin.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${r}`);
      await admin.query('COMMIT');
      return;
    } catch (err) {
      await admin.query('ROLLBACK').catch(() => undefined);
      // Two migrate steps on one server (two databases) may create the same role at once.
      const code = (err as { code?: string }).code;
      if (attempt < 3 && (code === '42710' || code === '23505' || code === 'XX000')) continue;
      throw err;
    }
  }
}

/**
 * Zero configuration (`npm start`, the test clusters): a role per service named after the database
 * (derivedRoleName) with a new random password each time, set through `adminUrl`; answers the URL
 * each service connects with.
 */
export async function provisionDerivedRoles(adminUrl: string, schemas: readonly string[]): Promise<Record<string, string>> {
  const roles = await provisionServiceRoles(adminUrl, (database) => schemas.map((schema) => ({ schema, user: derivedRoleName(database, schema), password: generatedPassword() })));
  return Object.fromEntries(roles.map((role) => [role.schema, urlWithLogin(adminUrl, role.user, role.password)]));
}

/** Whether the connection may create objects in the database (so it can run migrations). */
export async function canMigrate(query: (sql: string) => Promise<Array<{ allowed: boolean }>>): Promise<boolean> {
  const [row] = await query(`SELECT has_database_privilege(current_database(), 'CREATE') AS allowed`);
  return row?.allowed === true;
}

/** A random password for a role a zero-configuration start creates. */
export function generatedPassword(): string {
  return randomBytes(24).toString('base64url');
}
