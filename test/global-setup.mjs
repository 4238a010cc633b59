// Runs once per `npm test`: checks that PostgreSQL and NATS answer (and says how to start them if
// not), then gives this run its own database and bus namespace so two runs never collide.
import net from 'node:net';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

export default async function globalSetup() {
  const pgUrl = new URL(PG_URL);
  const natsUrl = new URL(NATS_URL);
  const problems = [];
  if (!(await reachable(pgUrl.hostname, Number(pgUrl.port || 5432)))) {
    problems.push(`PostgreSQL is not reachable at ${pgUrl.hostname}:${pgUrl.port || 5432}. Start it with:\n    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n  or point TEST_DATABASE_URL at a running server.`);
  }
  if (!(await reachable(natsUrl.hostname, Number(natsUrl.port || 4222)))) {
    problems.push(`NATS is not reachable at ${natsUrl.hostname}:${natsUrl.port || 4222}. Start it (with JetStream) with:\n    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log\n  or point TEST_NATS_URL at a running server.`);
  }
  if (problems.length > 0) {
    throw new Error(`\n\nThe tests need a real PostgreSQL and NATS:\n  - ${problems.join('\n  - ')}\n`);
  }

  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `ap_test_${run}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const runUrl = new URL(PG_URL);
  runUrl.pathname = `/${database}`;

  process.env.TEST_RUN_ID = run;
  process.env.TEST_RUN_DATABASE = database;
  process.env.TEST_RUN_DATABASE_URL = runUrl.toString();
  process.env.TEST_RUN_NATS_URL = NATS_URL;
  process.env.TEST_RUN_ADMIN_DATABASE_URL = PG_URL;
  writeFileSync(new URL('../.test-run.json', import.meta.url), JSON.stringify({ run, database }));
}
