import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** What the global setup prepared for this `npm test` run. */
export function testEnv(): { runId: string; databaseUrl: string; natsUrl: string; adminDatabaseUrl: string } {
  const runId = process.env.TEST_RUN_ID;
  const databaseUrl = process.env.TEST_RUN_DATABASE_URL;
  const natsUrl = process.env.TEST_RUN_NATS_URL;
  const adminDatabaseUrl = process.env.TEST_RUN_ADMIN_DATABASE_URL;
  if (!runId || !databaseUrl || !natsUrl || !adminDatabaseUrl) throw new Error('run the tests with `npm test` (the global setup prepares the database and bus)');
  return { runId, databaseUrl, natsUrl, adminDatabaseUrl };
}

let counter = 0;

/** A bus namespace no other spec or run uses; the global teardown deletes its streams. */
export function uniqueNamespace(label: string): string {
  counter += 1;
  return `t${testEnv().runId}${label.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}${process.pid % 10_000}x${counter}`.slice(0, 32);
}

/** A database of its own for a spec whose processes must not see another spec's rows. */
export async function createTestDatabase(label: string): Promise<string> {
  const { runId, adminDatabaseUrl } = testEnv();
  counter += 1;
  // Two spec files may share a label and a counter value; the random part keeps their databases apart.
  const name = `ap_test_${runId}_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 12)}${counter}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function query<T = Record<string, unknown>>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A port for a server a test starts on a fixed port (the platform's PORT, EMBEDDED_PG_PORT).
 * It lies below the kernel's ephemeral range (32768 and up), where outgoing connections and
 * `listen(0)` take theirs, so a connection another spec opens cannot be holding it.
 */
export function listenPort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}
