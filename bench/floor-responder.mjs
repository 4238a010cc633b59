#!/usr/bin/env node
// Floor responder: plain nats.js queue subscriptions on `bench-floor.me`,
// `bench-floor.agent-get` and `bench-floor.agent-create`, each running exactly
// one PostgreSQL query per request and replying with JSON; and
// `bench-floor.run-start`, a run with nothing but what a durable one must do:
// the run's row written while the model is called (plain fetch, no SDK), then
// either (`wait`) the answer stored with the run's end (one UPDATE, after the
// row) and replied, or (streamed) a reply at once and each batch of tokens
// stored (one INSERT, after the row) and only then published, the first at
// once, the rest as they come while a write is in flight.
// Started by bench/run.mjs as its own process (IPC channel: reports
// readiness, exits when the parent goes away).
//
// Env: NATS_URL, DATABASE_URL, FLOOR_SUBJECT (subject prefix, default bench-floor),
//      FLOOR_MODEL_URL (an OpenAI-compatible base URL, for runs)
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL;
const PREFIX = process.env.FLOOR_SUBJECT ?? 'bench-floor';
const QUEUE = 'bench-floor';
const MODEL_URL = process.env.FLOOR_MODEL_URL;

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

/** The run's row, written while the model is called. */
function insertRun({ runId, userId, agentId, input }) {
  const row = pool.query('INSERT INTO bench_floor.runs (id, owner_id, agent_id, input) VALUES ($1, $2, $3, $4)', [runId, userId, agentId, JSON.stringify({ input })]);
  row.catch(() => {});
  return row;
}

/** The model's streamed answer, each piece of text handed to `onText` as it comes. */
async function callModel(input, onText) {
  const res = await fetch(`${MODEL_URL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-floor' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: String(input) }] }),
  });
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const text = JSON.parse(line.slice(6)).choices?.[0]?.delta?.content;
      if (text) onText(text);
    }
  }
}

/** A run answered once it ended: its answer stored with its end, then the reply. */
async function waitRun(start) {
  const row = insertRun(start);
  let content = '';
  await callModel(start.input, (text) => {
    content += text;
  });
  await row;
  await pool.query('UPDATE bench_floor.runs SET output = $2, completed_at = now() WHERE id = $1', [start.runId, JSON.stringify({ content })]);
  return { status: 200, body: { id: start.runId, status: 'completed', output: { content } } };
}

/** The run's events: each stored, then published on the run's subject, in order. */
async function streamRun(start) {
  const { runId, input } = start;
  const subject = `${PREFIX}.run-events.${runId}`;
  const row = insertRun(start);
  let seq = 0;
  let pending = '';
  let writing;
  const store = async (type, data) => {
    seq += 1;
    await pool.query('INSERT INTO bench_floor.run_events (run_id, seq, data) VALUES ($1, $2, $3)', [runId, seq, JSON.stringify({ type, ...data })]);
    nc.publish(subject, JSON.stringify({ type, seq, ...data }));
  };
  const writeTokens = async () => {
    await row;
    while (pending) {
      const text = pending;
      pending = '';
      await store('token', { text });
    }
  };
  const push = (text) => {
    pending += text;
    writing ??= writeTokens().finally(() => {
      writing = undefined;
    });
  };
  try {
    await callModel(input, push);
    await writing;
    await writeTokens();
    await store('run.completed', {});
  } catch (err) {
    console.error('floor-responder: run failed', err.message);
    nc.publish(subject, JSON.stringify({ type: 'run.completed', seq: seq + 1, error: err.message }));
  }
}

nc.subscribe(`${PREFIX}.run-start`, {
  queue: QUEUE,
  callback: (err, msg) => {
    if (err) return;
    let start;
    try {
      start = msg.json();
    } catch {
      msg.respond(JSON.stringify({ status: 400, error: 'bad request' }));
      return;
    }
    if (!MODEL_URL) {
      msg.respond(JSON.stringify({ status: 503, error: 'FLOOR_MODEL_URL is not set' }));
      return;
    }
    if (start.wait) {
      waitRun(start).then(
        (reply) => msg.respond(JSON.stringify(reply)),
        (e) => {
          console.error('floor-responder: run failed', e.message);
          msg.respond(JSON.stringify({ status: 500, error: 'run failed' }));
        },
      );
      return;
    }
    msg.respond(JSON.stringify({ status: 200, body: { runId: start.runId } }));
    void streamRun(start);
  },
});

await nc.flush();
// Fail fast if the table is missing rather than at load time.
await pool.query('SELECT 1 FROM bench_floor.users, bench_floor.agents, bench_floor.runs, bench_floor.run_events LIMIT 1');

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
