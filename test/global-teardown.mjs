// Drops this run's databases and roles and deletes the JetStream streams of every namespace it used.
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const run = process.env.TEST_RUN_ID;
  if (!run) return;
  const admin = new pg.Client({ connectionString: process.env.TEST_RUN_ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${process.env.TEST_RUN_DATABASE}" WITH (FORCE)`).catch(() => undefined);
  // Databases that specs created for themselves carry the run id too.
  const extra = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`ap_test_${run}%`]);
  for (const row of extra.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
  // The services' roles the migrate step made for those databases (named <database>_<service>).
  const roles = await admin.query(`SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)`, [`ap_test_${run}`]);
  for (const row of roles.rows) await admin.query(`DROP ROLE IF EXISTS "${row.rolname}"`).catch(() => undefined);
  await admin.end();

  const nc = await connect({ servers: process.env.TEST_RUN_NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`t${run}`)) await jsm.streams.delete(name).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
  rmSync(new URL('../.test-run.json', import.meta.url), { force: true });
}
