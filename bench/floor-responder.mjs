#!/usr/bin/env node
// Floor responder: one plain nats.js queue subscription on `bench-floor.me`
// that runs exactly one PostgreSQL query per request and replies with JSON.
// Started by bench/run.mjs as its own process (IPC channel: reports
// readiness, exits when the parent goes away).
//
// Env: NATS_URL, DATABASE_URL, FLOOR_SUBJECT (default bench-floor.me)
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL;
const SUBJECT = process.env.FLOOR_SUBJECT ?? 'bench-floor.me';
const QUEUE = 'bench-floor';
const SQL = 'SELECT id, email FROM bench_floor.users WHERE id = $1';

if (!DATABASE_URL) {
  console.error('floor-responder: DATABASE_URL is required');
  process.exit(2);
}

const pool = new pg.Pool({
  connectionString: DATABASE_URL,
  max: 10,
  // Keep connections for the whole run so postgres backend CPU can be
  // attributed per phase (bench/run.mjs reads it by application_name).
  idleTimeoutMillis: 0,
  application_name: 'bench-floor',
});
pool.on('error', (err) => console.error('floor-responder: pg pool error', err.message));

const nc = await connect({ servers: NATS_URL, name: 'bench-floor-responder' });

nc.subscribe(SUBJECT, {
  queue: QUEUE,
  callback: (err, msg) => {
    if (err) return;
    let userId;
    try {
      userId = msg.json().userId;
    } catch {
      msg.respond(JSON.stringify({ status: 400, error: 'bad request' }));
      return;
    }
    pool.query(SQL, [userId]).then(
      ({ rows }) =>
        msg.respond(
          JSON.stringify(rows.length ? { status: 200, user: rows[0] } : { status: 404, error: 'not found' }),
        ),
      (e) => {
        console.error('floor-responder: query failed', e.message);
        msg.respond(JSON.stringify({ status: 500, error: 'query failed' }));
      },
    );
  },
});
await nc.flush();
// Fail fast if the table is missing rather than at load time.
await pool.query('SELECT 1 FROM bench_floor.users LIMIT 1');

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await nc.drain().catch(() => {});
  await pool.end().catch(() => {});
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.on('disconnect', () => stop(0));

if (process.send) process.send({ ready: true, pid: process.pid });
else console.log(`floor-responder: listening on ${SUBJECT} (queue ${QUEUE})`);
