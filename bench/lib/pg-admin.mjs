// PostgreSQL helpers for bench/run.mjs: a throw-away database per run, the
// floor's table, and the backend pids used for CPU attribution.
import pg from 'pg';

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const ident = (name) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe identifier ${name}`);
  return `"${name}"`;
};

export function createDatabase(adminUrl, name) {
  return withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${ident(name)}`));
}

export function dropDatabase(adminUrl, name) {
  // WITH (FORCE): PostgreSQL 13+, terminates connections a killed child may have left.
  return withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

/** Drops the services' roles the migrate step made for the bench database (named <database>_<service>). */
export function dropRoles(adminUrl, database) {
  return withClient(adminUrl, async (c) => {
    const { rows } = await c.query('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [`${database}_`]);
    for (const row of rows) await c.query(`DROP ROLE IF EXISTS ${ident(row.rolname)}`);
  });
}

/**
 * Creates bench_floor.users with one row and bench_floor.agents with one agent
 * of that user (the floor's GET /api/v1/agents/:id reads it, its POST
 * /api/v1/agents inserts more), and bench_floor.runs and run_events (the
 * floor's runs write their row, and their token events or their answer, there); returns the
 * user row and the agent id.
 */
export function setupFloorTable(dbUrl, email) {
  return withClient(dbUrl, async (c) => {
    await c.query('CREATE SCHEMA IF NOT EXISTS bench_floor');
    await c.query(
      'CREATE TABLE IF NOT EXISTS bench_floor.users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text NOT NULL UNIQUE)',
    );
    await c.query(
      'CREATE TABLE IF NOT EXISTS bench_floor.agents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), owner_id uuid NOT NULL, name text NOT NULL, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    await c.query(
      'CREATE TABLE IF NOT EXISTS bench_floor.runs (id uuid PRIMARY KEY, owner_id uuid NOT NULL, agent_id uuid NOT NULL, input jsonb NOT NULL, output jsonb, created_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz)',
    );
    await c.query(
      'CREATE TABLE IF NOT EXISTS bench_floor.run_events (run_id uuid NOT NULL REFERENCES bench_floor.runs (id), seq int NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, seq))',
    );
    const { rows } = await c.query('INSERT INTO bench_floor.users (email) VALUES ($1) RETURNING id, email', [email]);
    const agent = await c.query(
      'INSERT INTO bench_floor.agents (owner_id, name, body) VALUES ($1, $2, $3) RETURNING id',
      [rows[0].id, 'Floor agent', JSON.stringify({ modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.' })],
    );
    return { ...rows[0], agentId: agent.rows[0].id };
  });
}

export function dropFloorTable(dbUrl) {
  return withClient(dbUrl, (c) => c.query('DROP SCHEMA IF EXISTS bench_floor CASCADE'));
}

/**
 * Client backends connected to `database`, split into the floor's pool
 * (application_name 'bench-floor') and everything else (the platform).
 */
export function backendPids(adminUrl, database) {
  return withClient(adminUrl, async (c) => {
    const { rows } = await c.query(
      `SELECT pid, application_name FROM pg_stat_activity
        WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      [database],
    );
    return {
      floor: rows.filter((r) => r.application_name === 'bench-floor').map((r) => r.pid),
      platform: rows.filter((r) => r.application_name !== 'bench-floor' && r.application_name !== 'bench-admin').map((r) => r.pid),
    };
  });
}
