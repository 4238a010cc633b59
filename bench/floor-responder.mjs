#!/usr/bin/env node
// Floor responder: plain nats.js queue subscriptions on `bench-floor.me`,
// `bench-floor.agent-get` and `bench-floor.agent-create`, each running exactly
// one PostgreSQL query per request and replying with JSON.
// Started by bench/run.mjs as its own process (IPC channel: reports
// readiness, exits when the parent goes away).
//
// Env: NATS_URL, DATABASE_URL, FLOOR_SUBJECT (subject prefix, default bench-floor)
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL;
const PREFIX = process.env.FLOOR_SUBJECT ?? 'bench-floor';
const QUEUE = 'bench-floor';

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

/** Each subject: its one SQL statement, its parameters, and how rows become the reply. */
const HANDLERS = {
  me: {
    sql: 'SELECT id, email FROM bench_floor.users WHERE id = $1',
    params: (m) => [m.userId],
    reply: (rows) => (rows.length ? { status: 200, body: rows[0] } : { status: 404, error: 'not found' }),
  },
  'agent-get': {
    sql: 'SELECT id, owner_id, name, body, created_at FROM bench_floor.agents WHERE id = $1 AND owner_id = $2',
    params: (m) => [m.agentId, m.userId],
    reply: (rows) => (rows.length ? { status: 200, body: rows[0] } : { status: 404, error: 'not found' }),
  },
  'agent-create': {
    sql: 'INSERT INTO bench_floor.agents (owner_id, name, body) VALUES ($1, $2, $3) RETURNING id, owner_id, name, body, created_at',
    params: (m) => [m.userId, String(m.body?.name ?? 'agent'), JSON.stringify(m.body ?? {})],
    reply: (rows) => ({ status: 201, body: rows[0] }),
  },
};

for (const [name, handler] of Object.entries(HANDLERS)) {
  nc.subscribe(`${PREFIX}.${name}`, {
    queue: QUEUE,
    callback: (err, msg) => {
      if (err) return;
      let params;
      try {
        params = handler.params(msg.json());
      } catch {
        msg.respond(JSON.stringify({ status: 400, error: 'bad request' }));
        return;
      }
      pool.query(handler.sql, params).then(
        ({ rows }) => msg.respond(JSON.stringify(handler.reply(rows))),
        (e) => {
          console.error('floor-responder: query failed', e.message);
          msg.respond(JSON.stringify({ status: 500, error: 'query failed' }));
        },
      );
    },
  });
}
await nc.flush();
// Fail fast if the table is missing rather than at load time.
await pool.query('SELECT 1 FROM bench_floor.users, bench_floor.agents LIMIT 1');

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
else console.log(`floor-responder: listening on ${PREFIX}.* (queue ${QUEUE})`);
