// Runs once per `npm test`: makes sure PostgreSQL and NATS answer, starting them when they are
// installed here but stopped (a machine just booted), then gives this run its own database and bus
// namespace so two runs never collide.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const WAIT_MS = 60_000;
const run = promisify(execFile);

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** Polls until the port answers; `failed` can end the wait early with a reason. */
async function waitFor(host, port, failed = () => undefined) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await reachable(host, port)) return;
    const reason = failed();
    if (reason) throw new Error(reason);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`nothing answers on ${host}:${port} after ${WAIT_MS / 1000} s`);
}

function say(text) {
  process.stdout.write(`\nnpm test: ${text}\n`);
}

/** Debian's PostgreSQL: the cluster configured for that port, started with pg_ctlcluster. */
async function startPostgres(host, port) {
  let clusters;
  try {
    clusters = (await run('pg_lsclusters', ['--no-header'])).stdout;
  } catch {
    throw new Error('pg_lsclusters is not available, so there is no local PostgreSQL cluster to start');
  }
  // "15  main    5432 down   postgres /var/lib/postgresql/15/main /var/log/..."
  const cluster = clusters.split('\n').map((line) => line.trim().split(/\s+/)).find((fields) => Number(fields[2]) === port);
  if (!cluster) throw new Error(`no PostgreSQL cluster here is configured for port ${port} (pg_lsclusters)`);
  const [version, name] = cluster;
  say(`PostgreSQL is not running on ${host}:${port}; starting cluster ${version}/${name}`);
  try {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
  } catch (err) {
    throw new Error(`pg_ctlcluster ${version} ${name} start failed: ${(err.stderr || err.message).trim().slice(0, 300)}`);
  }
  await waitFor(host, port);
}

/** nats-server with JetStream, in the background; it keeps running after the tests, as PostgreSQL does. */
async function startNats(host, port) {
  const binary = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((path) => existsSync(path));
  if (!binary) throw new Error('nats-server is not installed here');
  // The machine's own store and log for the standard port (what its init would use), a private pair otherwise.
  let store = '/var/lib/nats-server';
  let log = '/var/log/nats-server.log';
  try {
    if (port !== 4222) throw new Error('not the standard port');
    accessSync(store, constants.W_OK);
    accessSync('/var/log', constants.W_OK);
  } catch {
    store = join(tmpdir(), `nats-server-${port}`);
    log = join(store, 'nats-server.log');
    mkdirSync(store, { recursive: true });
  }
  const address = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  say(`NATS is not running on ${host}:${port}; starting ${binary} -a ${address} -p ${port} -js -sd ${store} -l ${log}`);
  const child = spawn(binary, ['-a', address, '-p', String(port), '-js', '-sd', store, '-l', log], { detached: true, stdio: 'ignore' });
  let exited;
  child.once('exit', (code) => (exited = `nats-server exited at once (code ${code}); see ${log}`));
  child.once('error', (err) => (exited = `nats-server did not start: ${err.message}`));
  child.unref();
  await waitFor(host, port, () => exited);
}

/** Answers, or is started here, or the returned text says why not and how to fix it. */
async function ensure(kind, url, defaultPort, start, howTo) {
  const host = url.hostname;
  const port = Number(url.port || defaultPort);
  if (await reachable(host, port)) return undefined;
  let tried = '';
  if (LOCAL_HOSTS.has(host)) {
    try {
      await start(host, port);
      return undefined;
    } catch (err) {
      tried = `\n    (starting it here did not work: ${err.message})`;
    }
  }
  return `${kind} is not reachable at ${host}:${port}.${tried}\n  Start it with:\n    ${howTo}\n  or point ${kind === 'PostgreSQL' ? 'TEST_DATABASE_URL' : 'TEST_NATS_URL'} at a running server.`;
}

export default async function globalSetup() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new Error(`\n\nThe tests run on Node.js ${process.version}, but the project needs 24: run them with \`npm test\`, which uses the Node 24 that \`npm install\` put in node_modules/.bin.\n`);
  }
  const pgUrl = new URL(PG_URL);
  const natsUrl = new URL(NATS_URL);
  const problems = [
    await ensure('PostgreSQL', pgUrl, 5432, startPostgres, 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'),
    await ensure('NATS', natsUrl, 4222, startNats, 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log'),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new Error(`\n\nThe tests need a real PostgreSQL and NATS:\n  - ${problems.join('\n  - ')}\n`);
  }

  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `ap_test_${runId}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const runUrl = new URL(PG_URL);
  runUrl.pathname = `/${database}`;

  process.env.TEST_RUN_ID = runId;
  process.env.TEST_RUN_DATABASE = database;
  process.env.TEST_RUN_DATABASE_URL = runUrl.toString();
  process.env.TEST_RUN_NATS_URL = NATS_URL;
  process.env.TEST_RUN_ADMIN_DATABASE_URL = PG_URL;
  writeFileSync(new URL('../.test-run.json', import.meta.url), JSON.stringify({ run: runId, database }));
}
