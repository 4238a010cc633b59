#!/usr/bin/env node
// Floor HTTP server: the least work that can serve the platform's
// `GET /api/v1/me`, `GET /api/v1/agents/:id` and `POST /api/v1/agents` over
// the same topology (HTTP -> NATS request/reply -> service -> PostgreSQL),
// and a run, `POST /api/v1/agents/:id/runs`: answered once it ended (one NATS
// request), or with `?stream=true` streamed: the run's events come from the
// responder over NATS (each one stored before it is sent) and go out as
// Server-Sent Events.
// node:http, no framework, no body validation and NO JWT verification (the
// bearer token is only required to be present; the user id comes from
// FLOOR_USER_ID), so it is a lower bound for the platform, which does verify
// a JWT. Exactly one NATS request per HTTP request, answered by
// bench/floor-responder.mjs, which runs exactly one SQL query.
//
// Env: PORT (0 = any free port), NATS_URL, FLOOR_USER_ID, FLOOR_SUBJECT
//      (prefix of the subjects: <prefix>.me, <prefix>.agent-get, <prefix>.agent-create)
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { connect } from '@nats-io/transport-node';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PREFIX = process.env.FLOOR_SUBJECT ?? 'bench-floor';
const USER_ID = process.env.FLOOR_USER_ID;
const PORT = Number(process.env.PORT ?? 0);

if (!USER_ID) {
  console.error('floor-server: FLOOR_USER_ID is required');
  process.exit(2);
}

// noAsyncTraces: nc.request() would otherwise capture two Error stacks per
// request (see bench/nats-client.bench.mjs), which a floor should not pay.
const nc = await connect({ servers: NATS_URL, name: 'bench-floor-server', noAsyncTraces: true });
const requestBody = JSON.stringify({ userId: USER_ID });

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** One NATS request; the responder's { status, body } becomes the HTTP reply. */
function forward(res, subject, payload) {
  nc.request(`${PREFIX}.${subject}`, payload, { timeout: 5000 }).then(
    (msg) => {
      const reply = msg.json();
      if (reply.status < 300) send(res, reply.status, reply.body);
      else send(res, reply.status ?? 502, { statusCode: reply.status ?? 502, message: reply.error });
    },
    (err) => send(res, 502, { statusCode: 502, message: err.message }),
  );
}

const AGENT_PATH = /^\/api\/v1\/agents\/([0-9a-f-]{36})$/;
const RUN_PATH = /^\/api\/v1\/agents\/([0-9a-f-]{36})\/runs$/;

/** A request's body as JSON; a 400 when it is not. */
function readJson(req, res, then) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(res, 400, { statusCode: 400, message: 'bad JSON' });
      return;
    }
    then(body);
  });
}

/**
 * A streamed run: listens to the run's events, asks the responder to start it (one NATS request),
 * then writes each event as SSE until the run's last one. Events heard before the start's reply
 * are held until the stream is open.
 */
function streamRun(res, agentId, body) {
  const runId = randomUUID();
  let open = false;
  const early = [];
  const write = (event) => {
    res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ runId, ...event })}\n\n`);
    if (event.type === 'run.completed') {
      sub.unsubscribe();
      res.end();
    }
  };
  const sub = nc.subscribe(`${PREFIX}.run-events.${runId}`, {
    callback: (err, msg) => {
      if (err) return;
      const event = msg.json();
      if (open) write(event);
      else early.push(event);
    },
  });
  nc.request(`${PREFIX}.run-start`, JSON.stringify({ userId: USER_ID, agentId, runId, input: body.input }), { timeout: 5000 }).then(
    (msg) => {
      const reply = msg.json();
      if (reply.status >= 300) {
        sub.unsubscribe();
        send(res, reply.status, { statusCode: reply.status, message: reply.error });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      open = true;
      for (const event of early.splice(0)) write(event);
    },
    (err) => {
      sub.unsubscribe();
      send(res, 502, { statusCode: 502, message: err.message });
    },
  );
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?', 1)[0];
  const authorised = () => {
    const auth = req.headers.authorization;
    if (auth && auth.startsWith('Bearer ') && auth.length > 7) return true;
    send(res, 401, { statusCode: 401, message: 'Unauthorized' });
    return false;
  };
  if (req.method === 'GET' && path === '/api/v1/me') {
    if (authorised()) forward(res, 'me', requestBody);
    return;
  }
  const agent = req.method === 'GET' ? AGENT_PATH.exec(path) : null;
  if (agent) {
    if (authorised()) forward(res, 'agent-get', JSON.stringify({ userId: USER_ID, agentId: agent[1] }));
    return;
  }
  if (req.method === 'POST' && path === '/api/v1/agents') {
    if (authorised()) readJson(req, res, (body) => forward(res, 'agent-create', JSON.stringify({ userId: USER_ID, body })));
    return;
  }
  const run = req.method === 'POST' ? RUN_PATH.exec(path) : null;
  if (run) {
    const stream = /[?&]stream=true(&|$)/.test(req.url);
    if (authorised()) readJson(req, res, (body) => (stream ? streamRun(res, run[1], body) : forward(res, 'run-start', JSON.stringify({ userId: USER_ID, agentId: run[1], runId: randomUUID(), input: body.input, wait: true }))));
    return;
  }
  if (req.method === 'GET' && path === '/health') {
    send(res, 200, { status: 'ok' });
    return;
  }
  send(res, 404, { statusCode: 404, message: 'Not Found' });
});
server.keepAliveTimeout = 65_000;

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections?.();
  await nc.drain().catch(() => {});
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.on('disconnect', () => stop(0));

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: true, port, pid: process.pid });
  else console.log(`floor-server: http://127.0.0.1:${port}/api/v1/me`);
});
