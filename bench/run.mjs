#!/usr/bin/env node
// `npm run bench`: GET /api/v1/me, GET /api/v1/agents/:id and POST
// /api/v1/agents on the platform, each against a floor.
//
// floor    : bench/floor-server.mjs (node:http, no JWT check, no validation)
//            -> one NATS request -> bench/floor-responder.mjs -> one SQL
//            statement (a SELECT, or for POST /agents one INSERT).
// platform : the seven apps from dist/ (gateway, identity, agent, workflow,
//            conversation, integration, execution), each its own process, on a
//            fresh database and a BUS_NAMESPACE of their own.
//
// Load: autocannon CLI (own process), 64 connections; per scenario a 1 s
// warm-up per target, then 3 rounds of 5 s per target, interleaved. CPU per
// request per process from /proc/<pid>/stat before/after each phase. Results
// printed and written to bench/results/latest.json. Everything started is
// stopped and the database dropped, also on failure or Ctrl-C.
//
// Options: --rounds=3 --duration=5 --warmup=1 --connections=64
//          --floor-only   (skip the platform)
//          --scenarios=me,agent-get,agent-create,conversation-branch,message-search
//                         (which routes, in order; the last two are latency
//                         scenarios: seeded data, sequential requests, p50/p95,
//                         platform only, see bench/lib/conversation-bench.mjs)
//          --latency-requests=300   (timed requests per latency scenario)
//          agent-run, run-ttft: agent runs against an instantly answering
//                         model server, interleaved with the same call made
//                         directly (see bench/lib/run-bench.mjs)
//          --run-requests=200       (timed runs per run scenario)
//          workflow-run: a five-node workflow against the instant model,
//                         platform time per node beyond the model's own time
//                         (see bench/lib/workflow-run-bench.mjs)
//          schedule-precision: a per-second schedule over --schedule-ticks=20
//                         ticks, delay from each tick to its run's start
//                         (see bench/lib/schedule-bench.mjs)
//          observability-cost: GET /api/v1/agents/:id with traces exported to
//                         a local OTLP sink vs no tracing configured, and the
//                         metric observations per request timed in process
//                         (see bench/lib/observability-bench.mjs)
//          openai-compat: POST /v1/chat/completions (stream false and true) vs
//                         the direct model call; mcp-server-call: one /mcp
//                         tools/call of a published agent vs the same
//                         (see bench/lib/faces-bench.mjs)
//          --run-stages             (agent-run, run-ttft: where each run's time goes, stage by
//                         stage, with SQL statements and bus requests per stage; see
//                         bench/lib/run-bench.mjs)
//          --keep-database          (leave the bench database for inspection)
//          --no-db-roles            (every app logs in with the admin URL and migrates
//                         its own schema, bypassing row-level security; default: the
//                         migrate step first, each service on its own role, as deployed)
//          --ready-timeout=60       (seconds the platform may take to start)
//          --cpu-prof=gateway,identity (apps started with node --cpu-prof; the
//                         .cpuprofile files land in bench/results/cpu-prof/ when
//                         the bench stops them; open in Chrome DevTools)
// Env:     BENCH_PG_URL (admin URL, default postgres://postgres@127.0.0.1:5432/test)
//          NATS_URL     (default nats://127.0.0.1:4222)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRANCH_MESSAGES, measureLatency, SEARCH_MESSAGES, seedConversations } from './lib/conversation-bench.mjs';
import { collectRunStages, createRunAgent, measureRuns, stageTable, startModelServer } from './lib/run-bench.mjs';
import { createRunWorkflow, measureWorkflowRuns } from './lib/workflow-run-bench.mjs';
import { measureSchedulePrecision } from './lib/schedule-bench.mjs';
import { KNOWLEDGE_CHUNKS, KNOWLEDGE_DIMS, measureIngestion, measureScanFloor, measureSearch, seedKnowledge } from './lib/knowledge-bench.mjs';
import { measureMcpCalls, startMcpServer } from './lib/mcp-bench.mjs';
import { measureMetricsCalls, measureTracingCost, startOtlpSink } from './lib/observability-bench.mjs';
import { createFacesAgent, measureMcpServerCalls, measureOpenAiCompat } from './lib/faces-bench.mjs';
import { autocannon } from './lib/load.mjs';
import { backendPids, createDatabase, dropDatabase, dropFloorTable, dropRoles, setupFloorTable, withDatabase } from './lib/pg-admin.mjs';
import {
  fmt,
  freePort,
  median,
  onCleanup,
  runMain,
  sleep,
  spawnNode,
  table,
  tailOf,
  waitForMessage,
} from './lib/util.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const APPS = ['gateway', 'identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'];

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a) => /^--([^=]+)(?:=(.*))?$/.exec(a))
    .filter(Boolean)
    .map((m) => [m[1], m[2] ?? true]),
);
const ROUNDS = Number(args.rounds ?? 3);
const DURATION = Math.min(5, Number(args.duration ?? 5));
const WARMUP = Math.min(5, Number(args.warmup ?? 1));
const CONNECTIONS = Number(args.connections ?? 64);
const FLOOR_ONLY = Boolean(args['floor-only']);
const LATENCY_REQUESTS = Number(args['latency-requests'] ?? 300);
const RUN_REQUESTS = Number(args['run-requests'] ?? 200);
const SCHEDULE_TICKS = Number(args['schedule-ticks'] ?? 20);
/** How long the seven apps may take to be ready (--ready-timeout=seconds): more on a loaded machine. */
const READY_TIMEOUT_MS = Number(args['ready-timeout'] ?? 60) * 1000;
/** Apps to profile (--cpu-prof=gateway,identity): written on their graceful stop. */
const CPU_PROF = new Set(String(args['cpu-prof'] === true ? APPS.join(',') : (args['cpu-prof'] ?? '')).split(',').filter(Boolean));

/** What an agent created by the bench looks like: a realistic, valid body. */
const AGENT_BODY = JSON.stringify({
  name: 'Bench agent',
  modelProvider: 'openai',
  modelName: 'gpt-4o-mini',
  systemPrompt: 'You are a helpful assistant. Answer briefly and cite your sources.',
  tools: [{ kind: 'builtin', name: 'calculator' }],
  configuration: { temperature: 0.3, maxTokens: 800 },
});

/**
 * The routes measured. `service` is the bus service that answers the route on
 * the platform. The summary compares the CPU of all apps (idle ones add about
 * 0; the gateway's authentication may ask identity on every request) with the
 * floor's server + responder; the per-route table also shows gateway + service.
 */
const SCENARIOS = {
  me: { label: 'GET /api/v1/me', method: 'GET', path: () => '/api/v1/me', status: 200, service: 'identity' },
  'agent-get': { label: 'GET /api/v1/agents/:id', method: 'GET', path: (t) => `/api/v1/agents/${t.agentId}`, status: 200, service: 'agent' },
  'agent-create': { label: 'POST /api/v1/agents', method: 'POST', body: AGENT_BODY, path: () => '/api/v1/agents', status: 201, service: 'agent' },
  // Latency scenarios: no floor (nothing comparable to floor), seeded data, sequential requests.
  'conversation-branch': {
    label: `GET /api/v1/conversations/:id/messages (current branch of ${BRANCH_MESSAGES} messages)`,
    latency: true,
    paths: (seeded) => [seeded.branchPath],
    check: (body) => body.items?.length === BRANCH_MESSAGES,
  },
  'message-search': {
    label: `GET /api/v1/search/messages (${SEARCH_MESSAGES} messages, 6 queries in turn)`,
    latency: true,
    paths: (seeded) => seeded.searchPaths,
    check: (body) => Array.isArray(body.items),
  },
  // Run scenarios: sequential runs interleaved with the same model call made directly.
  'agent-run': { label: 'POST /api/v1/agents/:id/runs (wait) vs the model call alone, instant model', runs: true, ttft: false },
  'run-ttft': { label: 'POST /api/v1/agents/:id/runs?stream=true, first token vs the model call alone', runs: true, ttft: true },
  'workflow-run': { label: 'POST /api/v1/workflows/:id/runs (wait), five nodes, vs its two model calls alone, instant model', workflowRuns: true },
  // A per-second schedule: delay from each tick to its run's start (see bench/lib/schedule-bench.mjs).
  'schedule-precision': { label: `schedule precision: a per-second schedule, ${SCHEDULE_TICKS} ticks, tick to run start`, schedule: true },
  // Knowledge scenarios: seeded chunks, sequential searches against the bare scan (see bench/lib/knowledge-bench.mjs).
  'knowledge-search': { label: `POST /api/v1/knowledge-bases/:id/search (${KNOWLEDGE_CHUNKS} chunks x ${KNOWLEDGE_DIMS} dims)`, knowledge: true },
  'knowledge-ingest': { label: 'document ingestion with the built-in embedder (POST to ready)', knowledge: true },
  // One MCP tool call: the run's tool step vs the same call straight to the MCP server.
  'mcp-call': { label: "an agent run's MCP tool step vs the same MCP call made directly", runs: true, mcp: true },
  // Metrics are always on; tracing on (OTLP to a local sink) vs off, on the hot read route (see bench/lib/observability-bench.mjs).
  'observability-cost': { label: 'GET /api/v1/agents/:id: traces exported to a local OTLP sink vs no tracing; metric calls per request', observability: true },
  // The platform's faces: an agent called through /v1 (OpenAI's API) and through /mcp, vs the model call alone.
  'openai-compat': { label: 'POST /v1/chat/completions (stream false / true) vs the model call alone, instant model', faces: true },
  'mcp-server-call': { label: 'one /mcp tools/call of a published agent (SDK client) vs the model call alone, instant model', faces: true },
};
const SCENARIO_KEYS = String(args.scenarios ?? Object.keys(SCENARIOS).join(','))
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean);
for (const key of SCENARIO_KEYS) {
  if (!SCENARIOS[key]) throw new Error(`unknown scenario ${key} (known: ${Object.keys(SCENARIOS).join(', ')})`);
}

const log = (...a) => console.log('[bench]', ...a);

async function startFloor(dbUrl, ts, modelUrl) {
  const row = await setupFloorTable(dbUrl, `floor-${ts}@example.com`);
  onCleanup(() => dropFloorTable(dbUrl));
  // Subjects of this run only: another bench on the same NATS must not answer our floor.
  const env = { NATS_URL, DATABASE_URL: dbUrl, FLOOR_SUBJECT: `bench-floor-${ts}`, ...(modelUrl ? { FLOOR_MODEL_URL: modelUrl } : {}) };
  const responder = spawnNode('floor-responder', [join(HERE, 'floor-responder.mjs')], { env, ipc: true });
  await waitForMessage(responder, (m) => m?.ready, 20_000);
  const server = spawnNode('floor-server', [join(HERE, 'floor-server.mjs')], {
    env: { ...env, PORT: '0', FLOOR_USER_ID: row.id },
    ipc: true,
  });
  const { port } = await waitForMessage(server, (m) => m?.ready, 20_000);
  return { port, agentId: row.agentId, procs: { server, responder } };
}

async function startPlatform(dbUrl, ts, extraEnv = {}) {
  const missing = APPS.filter((a) => !existsSync(join(ROOT, 'dist', 'apps', a, 'main.js')));
  if (missing.includes('gateway') || missing.includes('identity')) {
    throw new Error(
      `platform not built: missing ${missing.map((a) => `dist/apps/${a}/main.js`).join(', ')} (build it first, or pass --floor-only)`,
    );
  }
  if (missing.length) log(`warning: not built, not started: ${missing.join(', ')} (gateway readiness may fail)`);
  const port = await freePort();
  const common = {
    DATABASE_URL: dbUrl,
    NATS_URL,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    BUS_NAMESPACE: `bench${ts}`,
    MIGRATE_ON_START: 'true',
    HOST: '127.0.0.1',
    // One bench user sends thousands of requests a second: a per-user budget high enough never to
    // refuse one, so the limiter's counting is measured but no request is turned away.
    RATE_LIMIT_USER_PER_MINUTE: '10000000',
    ...extraEnv,
  };
  const logins = args['no-db-roles'] ? {} : await migrateWithRoles(dbUrl);
  const procs = {};
  for (const app of APPS.filter((a) => !missing.includes(a))) {
    // PORT is the gateway's HTTP port; the others get a distinct free one in
    // case they open a listener of their own.
    const appPort = app === 'gateway' ? port : await freePort();
    const prof = CPU_PROF.has(app) ? ['--cpu-prof', `--cpu-prof-dir=${join(HERE, 'results', 'cpu-prof')}`, `--cpu-prof-name=${app}-${ts}.cpuprofile`] : [];
    procs[app] = spawnNode(app, [...prof, join('dist', 'apps', app, 'main.js')], {
      cwd: ROOT,
      env: { ...common, PORT: String(appPort), ...(logins[app] ? { DATABASE_URL: logins[app] } : {}) },
    });
    procs[app].profiling = prof.length > 0;
  }
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  for (;;) {
    const dead = Object.values(procs).find((p) => p.exitInfo);
    if (dead) {
      throw new Error(
        `platform process ${dead.benchName} exited (code ${dead.exitInfo.code}, signal ${dead.exitInfo.signal}) before readiness\n` +
          Object.values(procs).map((p) => tailOf(p, 3000)).join('\n'),
      );
    }
    try {
      const res = await fetch(`${base}/api/v1/health/ready`, { signal: AbortSignal.timeout(3000) });
      last = `${res.status} ${(await res.text()).slice(0, 500)}`;
      if (res.status === 200) break;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `platform not ready within ${READY_TIMEOUT_MS / 1000}s (last /api/v1/health/ready: ${last})\n` +
          Object.values(procs).map((p) => tailOf(p, 3000)).join('\n'),
      );
    }
    await sleep(500);
  }
  return { port, base, procs };
}

/**
 * The migrate step as deployed: migrations through the admin URL, then a role per service
 * (<database>_<service>, dropped with the database); answers each service's login.
 */
async function migrateWithRoles(dbUrl) {
  const database = new URL(dbUrl).pathname.slice(1);
  const logins = {};
  const env = { DATABASE_ADMIN_URL: dbUrl, LOG_LEVEL: 'warn' };
  for (const app of APPS.filter((a) => a !== 'gateway')) {
    const url = new URL(dbUrl);
    url.username = `${database}_${app}`;
    url.password = randomBytes(18).toString('hex');
    logins[app] = url.toString();
    env[`${app.toUpperCase()}_DATABASE_URL`] = logins[app];
  }
  const step = spawnNode('migrate', [join('dist', 'scripts', 'migrate.js')], { cwd: ROOT, env });
  const { code } = await step.exited;
  if (code !== 0) throw new Error(`the migrate step failed (${code}):\n${tailOf(step, 3000)}`);
  return logins;
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text };
}

async function platformToken(base, ts) {
  const creds = { email: `bench-${ts}@example.com`, password: 'a-long-bench-password-123' };
  const reg = await postJson(`${base}/api/v1/auth/register`, { ...creds, name: 'Bench' });
  if (reg.status !== 201) throw new Error(`POST /api/v1/auth/register -> ${reg.status}: ${reg.text.slice(0, 1000)}`);
  if (reg.json?.accessToken) return reg.json.accessToken;
  const login = await postJson(`${base}/api/v1/auth/login`, creds);
  if (login.status !== 200 && login.status !== 201) {
    throw new Error(`POST /api/v1/auth/login -> ${login.status}: ${login.text.slice(0, 1000)}`);
  }
  if (!login.json?.accessToken) throw new Error(`login reply has no accessToken: ${login.text.slice(0, 1000)}`);
  return login.json.accessToken;
}

/** An agent of the bench user on the platform, for GET /api/v1/agents/:id. */
async function platformAgent(base, token) {
  const res = await fetch(`${base}/api/v1/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: AGENT_BODY,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/v1/agents -> ${res.status}: ${text.slice(0, 1000)}`);
  return JSON.parse(text).id;
}

async function checkOnce(name, scenario, target, token) {
  const url = `${target.base}${scenario.path(target)}`;
  const res = await fetch(url, {
    method: scenario.method,
    headers: { authorization: `Bearer ${token}`, ...(scenario.body ? { 'content-type': 'application/json' } : {}) },
    body: scenario.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== scenario.status) throw new Error(`${name}: ${scenario.method} ${url} -> ${res.status}: ${text.slice(0, 1000)}`);
  log(`${name}: ${scenario.label} -> ${res.status} ${text.slice(0, 160)}`);
}

function cpuGroups(target) {
  return Object.fromEntries(Object.entries(target.procs).map(([name, p]) => [name, [p.pid]]));
}

async function main() {
  const ts = Date.now();
  const dbName = `bench_${ts}`;
  const dbUrl = withDatabase(ADMIN_URL, dbName);
  log(`database ${dbName}, NATS ${NATS_URL}, ${CONNECTIONS} connections, ${WARMUP}s warm-up, ${ROUNDS} x ${DURATION}s rounds, scenarios ${SCENARIO_KEYS.join(', ')}`);

  await createDatabase(ADMIN_URL, dbName);
  onCleanup(async () => {
    if (args['keep-database']) return log(`kept database ${dbName} (--keep-database)`);
    await dropDatabase(ADMIN_URL, dbName);
    await dropRoles(ADMIN_URL, dbName);
    log(`dropped database ${dbName} and its roles`);
  });

  const LOAD_KEYS = SCENARIO_KEYS.filter((k) => !SCENARIOS[k].latency && !SCENARIOS[k].runs && !SCENARIOS[k].knowledge && !SCENARIOS[k].workflowRuns && !SCENARIOS[k].schedule && !SCENARIOS[k].observability && !SCENARIOS[k].faces);
  const OBSERVABILITY_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].observability);
  const FACE_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].faces);
  const KNOWLEDGE_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].knowledge);
  const LATENCY_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].latency);
  const RUN_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].runs && !SCENARIOS[k].mcp);
  const MCP_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].mcp);
  const WORKFLOW_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].workflowRuns);
  const SCHEDULE_KEYS = FLOOR_ONLY ? [] : SCENARIO_KEYS.filter((k) => SCENARIOS[k].schedule);
  let model;
  let mcp;
  if (MCP_KEYS.length > 0) {
    mcp = await startMcpServer(ROOT);
    onCleanup(() => mcp.stop());
  }
  if (RUN_KEYS.length + MCP_KEYS.length + WORKFLOW_KEYS.length + FACE_KEYS.length > 0) {
    model = await startModelServer(ROOT);
    onCleanup(() => model.stop());
    log(`model server (instant fake OpenAI) at ${model.baseUrl}`);
  }
  const targets = {};
  // The run scenarios measure the same runs on the floor too (floor-server.mjs).
  if (LOAD_KEYS.length > 0 || RUN_KEYS.length > 0) {
    const floor = await startFloor(dbUrl, ts, model?.baseUrl);
    targets.floor = { base: `http://127.0.0.1:${floor.port}`, agentId: floor.agentId, procs: floor.procs };
    log(`floor up on port ${floor.port} (server pid ${floor.procs.server.pid}, responder pid ${floor.procs.responder.pid})`);
  }

  let token = `floor-only-${randomBytes(16).toString('hex')}`;
  if (!FLOOR_ONLY) {
    const t0 = Date.now();
    const modelEnv = model
      ? { OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'sk-bench', EXECUTION_MAX_ACTIVE_RUNS_PER_USER: '100000', EXECUTION_MODEL_MAX_RETRIES: '0' }
      : {};
    if (mcp) modelEnv.OUTBOUND_INTERNAL_ALLOWLIST = `127.0.0.1:${mcp.port}`;
    if (args['run-stages']) modelEnv.EXECUTION_RUN_STAGES = 'true';
    const platform = await startPlatform(dbUrl, ts, modelEnv);
    log(`platform ready on port ${platform.port} after ${((Date.now() - t0) / 1000).toFixed(1)}s (${Object.entries(platform.procs).map(([n, p]) => `${n} ${p.pid}`).join(', ')})`);
    token = await platformToken(platform.base, ts);
    targets.platform = { base: platform.base, agentId: await platformAgent(platform.base, token), procs: platform.procs };
  }
  const names = Object.keys(targets);
  for (const key of LOAD_KEYS) for (const name of names) await checkOnce(name, SCENARIOS[key], targets[name], token);

  const results = {};
  for (const key of LOAD_KEYS) results[key] = await runScenario(key, SCENARIOS[key], targets, token, dbName);
  const latency = {};
  if (LATENCY_KEYS.length > 0) {
    const seeded = await seedConversations({ base: targets.platform.base, token, agentId: targets.platform.agentId, dbUrl, log });
    for (const key of LATENCY_KEYS) {
      const scenario = SCENARIOS[key];
      console.log(`\n==== ${scenario.label}`);
      latency[key] = { label: scenario.label, ...(await measureLatency({ base: targets.platform.base, token, paths: scenario.paths(seeded), count: LATENCY_REQUESTS, check: scenario.check })) };
      const r = latency[key];
      log(`${key}: ${r.requests} sequential requests, p50 ${fmt(r.p50, 1)} ms, p95 ${fmt(r.p95, 1)} ms, p99 ${fmt(r.p99, 1)} ms, failures ${r.failures}`);
      if (r.perPath) log(`${key}: p50 per request: ${Object.entries(r.perPath).map(([p, ms]) => `${p} ${fmt(ms, 1)} ms`).join(', ')}`);
    }
    console.log('\n==== Latency, one client, sequential requests');
    console.log(table(['route', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'failures'], LATENCY_KEYS.map((k) => [latency[k].label, latency[k].requests, fmt(latency[k].p50, 1), fmt(latency[k].p95, 1), fmt(latency[k].p99, 1), fmt(latency[k].mean, 1), latency[k].failures])));
  }

  const runs = {};
  if (RUN_KEYS.length > 0) {
    const runAgent = await createRunAgent(targets.platform.base, token);
    const stages = args['run-stages'] ? collectRunStages(targets.platform.procs.execution) : undefined;
    for (const key of RUN_KEYS) {
      const scenario = SCENARIOS[key];
      console.log(`\n==== ${scenario.label}`);
      const floor = { base: targets.floor.base, agentId: targets.floor.agentId };
      runs[key] = { label: scenario.label, ...(await measureRuns({ base: targets.platform.base, token, agentId: runAgent, model, count: RUN_REQUESTS, ttft: scenario.ttft, stages, floor })) };
      const r = runs[key];
      if (r.stages) console.log(stageTable(r.stages));
      log(`${key}: platform p50 ${fmt(r.platform.p50, 1)} ms p95 ${fmt(r.platform.p95, 1)} ms; direct p50 ${fmt(r.direct.p50, 1)} ms p95 ${fmt(r.direct.p95, 1)} ms; failures ${r.failures}`);
      if (r.floor) log(`${key}: floor p50 ${fmt(r.floor.platform.p50, 1)} ms p95 ${fmt(r.floor.platform.p95, 1)} ms, its overhead p50 ${fmt(r.floor.overhead.p50, 1)} ms p95 ${fmt(r.floor.overhead.p95, 1)} ms; failures ${r.floor.failures}`);
    }
    console.log('\n==== Agent runs, one client, sequential, interleaved with the direct model call');
    console.log(
      table(
        ['scenario', 'runs', 'platform p50 ms', 'platform p95 ms', 'direct p50 ms', 'direct p95 ms', 'overhead p50 ms', 'overhead p95 ms', 'p50 ratio', 'floor overhead p50 ms', 'overhead / floor overhead p50', 'failures'],
        RUN_KEYS.map((k) => {
          const r = runs[k];
          const floor = r.floor ? [fmt(r.floor.overhead.p50, 1), fmt(r.overhead.p50 / r.floor.overhead.p50, 2)] : ['-', '-'];
          return [k, r.requests, fmt(r.platform.p50, 1), fmt(r.platform.p95, 1), fmt(r.direct.p50, 1), fmt(r.direct.p95, 1), fmt(r.overhead.p50, 1), fmt(r.overhead.p95, 1), fmt(r.platform.p50 / r.direct.p50, 2), ...floor, r.failures + (r.floor?.failures ?? 0)];
        }),
      ),
    );
  }

  for (const key of WORKFLOW_KEYS) {
    const scenario = SCENARIOS[key];
    console.log(`\n==== ${scenario.label}`);
    const workflowId = await createRunWorkflow(targets.platform.base, token);
    runs[key] = { label: scenario.label, ...(await measureWorkflowRuns({ base: targets.platform.base, token, workflowId, model, count: RUN_REQUESTS })) };
    const r = runs[key];
    console.log(
      table(
        ['scenario', 'runs', 'platform p50 ms', 'platform p95 ms', 'model calls alone p50 ms', 'p95 ms', 'per node p50 ms', 'per node p95 ms', 'failures'],
        [[key, r.requests, fmt(r.platform.p50, 1), fmt(r.platform.p95, 1), fmt(r.direct.p50, 1), fmt(r.direct.p95, 1), fmt(r.perNode.p50, 1), fmt(r.perNode.p95, 1), r.failures]],
      ),
    );
  }
  for (const key of SCHEDULE_KEYS) {
    console.log(`\n==== ${SCENARIOS[key].label}`);
    const r = (runs[key] = { label: SCENARIOS[key].label, ...(await measureSchedulePrecision({ base: targets.platform.base, token, ticks: SCHEDULE_TICKS })) });
    console.log(
      table(
        ['scenario', 'ticks', 'runs', 'tick to start p50 ms', 'p95 ms', 'max ms', 'tick to run row p50 / p95 ms', 'row to start p50 / p95 ms', 'failures'],
        [[key, r.ticks, r.runs, fmt(r.p50, 0), fmt(r.p95, 0), fmt(r.max, 0), `${fmt(r.tickToCreated.p50, 0)} / ${fmt(r.tickToCreated.p95, 0)}`, `${fmt(r.createdToStarted.p50, 0)} / ${fmt(r.createdToStarted.p95, 0)}`, r.failures]],
      ),
    );
  }
  const knowledge = {};
  if (KNOWLEDGE_KEYS.includes('knowledge-search')) {
    console.log(`\n==== ${SCENARIOS['knowledge-search'].label}`);
    const knowledgeBaseId = await seedKnowledge({ base: targets.platform.base, token, dbUrl, log });
    const count = LATENCY_REQUESTS;
    const hybrid = await measureSearch({ base: targets.platform.base, token, knowledgeBaseId, mode: 'hybrid', filter: { and: [{ group: { in: [1, 2, 3] } }, { year: { gte: 2018 } }] }, count });
    const vector = await measureSearch({ base: targets.platform.base, token, knowledgeBaseId, mode: 'vector', count });
    const floor = measureScanFloor(Math.min(count, 100));
    knowledge.search = { chunks: KNOWLEDGE_CHUNKS, dimensions: KNOWLEDGE_DIMS, hybridFiltered: hybrid, vector, scanFloor: floor, targetHybridP95Ms: 50 };
    console.log(
      table(
        ['search', 'requests', 'p50 ms', 'p95 ms', 'p50 / floor p50', 'failures'],
        [
          ['bare exact scan in one process (floor)', floor.requests, fmt(floor.p50, 1), fmt(floor.p95, 1), '1.00', 0],
          ['hybrid + metadata filter (target p95 <= 50 ms)', hybrid.requests, fmt(hybrid.p50, 1), fmt(hybrid.p95, 1), fmt(hybrid.p50 / floor.p50, 2), hybrid.failures],
          ['vector, no filter (every vector scored)', vector.requests, fmt(vector.p50, 1), fmt(vector.p95, 1), fmt(vector.p50 / floor.p50, 2), vector.failures],
        ],
      ),
    );
  }
  if (KNOWLEDGE_KEYS.includes('knowledge-ingest')) {
    console.log(`\n==== ${SCENARIOS['knowledge-ingest'].label}`);
    knowledge.ingestion = await measureIngestion({ base: targets.platform.base, token });
    log(`knowledge-ingest: ${knowledge.ingestion.chunks} chunks in ${fmt(knowledge.ingestion.seconds, 2)} s = ${fmt(knowledge.ingestion.chunksPerSecond, 0)} chunks/s`);
  }
  for (const key of MCP_KEYS) {
    console.log(`\n==== ${SCENARIOS[key].label}`);
    const r = (runs[key] = { label: SCENARIOS[key].label, ...(await measureMcpCalls({ base: targets.platform.base, token, model, mcp, count: RUN_REQUESTS, root: ROOT })) });
    console.log(
      table(
        ['scenario', 'calls', 'tool step p50 ms', 'tool step p95 ms', 'direct p50 ms', 'direct p95 ms', 'overhead p50 ms', 'overhead p95 ms', 'failures'],
        [[key, r.requests, fmt(r.platform.p50, 2), fmt(r.platform.p95, 2), fmt(r.direct.p50, 2), fmt(r.direct.p95, 2), fmt(r.overhead.p50, 2), fmt(r.overhead.p95, 2), r.failures]],
      ),
    );
  }

  const observability = {};
  for (const key of OBSERVABILITY_KEYS) {
    console.log(`\n==== ${SCENARIOS[key].label}`);
    const sink = await startOtlpSink();
    onCleanup(() => sink.stop());
    const tracedDb = `${dbName}_otel`;
    await createDatabase(ADMIN_URL, tracedDb);
    onCleanup(() => dropDatabase(ADMIN_URL, tracedDb));
    const traced = await startPlatform(withDatabase(ADMIN_URL, tracedDb), ts + 1, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_BSP_SCHEDULE_DELAY: '1000' });
    const tracedToken = await platformToken(traced.base, ts + 1);
    const on = { base: traced.base, token: tracedToken, agentId: await platformAgent(traced.base, tracedToken), procs: traced.procs };
    const off = { ...targets.platform, token };
    const tracing = await measureTracingCost({ targets: { off, on }, autocannon, rounds: ROUNDS, duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, log, median });
    await sleep(1500); // the last batch of spans reaches the sink
    const metrics = await measureMetricsCalls(ROOT);
    const r = (observability[key] = { label: SCENARIOS[key].label, tracing, sink: { ...sink.received }, metrics });
    const cpuSum = (t) => t.cpuUsPerReq.gateway + t.cpuUsPerReq.identity + t.cpuUsPerReq.agent;
    console.log(
      table(
        ['tracing', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req gateway', 'identity', 'agent', 'sum', 'failures'],
        ['off', 'on'].map((n) => {
          const t = tracing[n];
          return [n, fmt(t.rps, 0), fmt(t.p50, 1), fmt(t.p99, 1), fmt(t.cpuUsPerReq.gateway), fmt(t.cpuUsPerReq.identity), fmt(t.cpuUsPerReq.agent), fmt(cpuSum(t)), t.failures];
        }),
      ),
    );
    log(`${key}: tracing on/off req/s ${fmt(tracing.on.rps / tracing.off.rps, 2)}, CPU/req ${fmt(cpuSum(tracing.on) / cpuSum(tracing.off), 2)}; the sink got ${r.sink.requests} exports, ${r.sink.bytes} bytes`);
    log(`${key}: metric observations per request (1 HTTP + 4 bus histograms) ${fmt(metrics.nsPerRequest, 0)} ns; a scrape ${fmt(metrics.scrapeMs, 2)} ms for ${metrics.scrapeBytes} bytes`);
  }

  if (FACE_KEYS.length > 0) {
    const agent = await createFacesAgent(targets.platform.base, token);
    const rowsOf = [];
    for (const key of FACE_KEYS) {
      console.log(`\n==== ${SCENARIOS[key].label}`);
      if (key === 'openai-compat') {
        const r = await measureOpenAiCompat({ base: targets.platform.base, token, agent, model, count: RUN_REQUESTS });
        runs[key] = { label: SCENARIOS[key].label, ...r, failures: r.json.failures + r.stream.failures };
        rowsOf.push(['openai-compat stream=false', r.json], ['openai-compat stream=true', r.stream]);
      } else {
        const r = await measureMcpServerCalls({ base: targets.platform.base, token, agent, model, count: RUN_REQUESTS, root: ROOT });
        runs[key] = { label: SCENARIOS[key].label, ...r };
        rowsOf.push([key, r]);
      }
    }
    console.log('\n==== Faces, one client, sequential, interleaved with the direct model call');
    console.log(
      table(
        ['scenario', 'calls', 'platform p50 ms', 'platform p95 ms', 'direct p50 ms', 'direct p95 ms', 'overhead p50 ms', 'overhead p95 ms', 'p50 ratio', 'failures'],
        rowsOf.map(([name, r]) => [name, r.requests, fmt(r.platform.p50, 1), fmt(r.platform.p95, 1), fmt(r.direct.p50, 1), fmt(r.direct.p95, 1), fmt(r.overhead.p50, 1), fmt(r.overhead.p95, 1), fmt(r.platform.p50 / r.direct.p50, 2), r.failures]),
      ),
    );
  }

  const rows = LOAD_KEYS.map((key) => {
    const r = results[key];
    const f = r.summary.floor;
    const p = r.summary.platform;
    return [
      SCENARIOS[key].label,
      fmt(f.rps, 0),
      p ? fmt(p.rps, 0) : '-',
      r.ratios ? fmt(r.ratios.rps, 2) : '-',
      fmt(f.p50, 1),
      p ? fmt(p.p50, 1) : '-',
      r.ratios ? fmt(r.ratios.p50, 2) : '-',
      r.cpu.platform ? fmt(r.cpu.platform.ratioToFloor, 2) : '-',
    ];
  });
  if (LOAD_KEYS.length > 0) {
    console.log(`\n==== Summary, ${CONNECTIONS} connections, median of ${ROUNDS} x ${DURATION}s`);
    console.log(table(['route', 'floor req/s', 'platform req/s', 'platform/floor req/s', 'floor p50 ms', 'platform p50 ms', 'platform/floor p50', 'CPU/req all apps/floor'], rows));
  }

  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'latest.json');
  writeFileSync(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        config: { connections: CONNECTIONS, durationS: DURATION, warmupS: WARMUP, rounds: ROUNDS, floorOnly: FLOOR_ONLY, natsUrl: NATS_URL, database: dbName, scenarios: SCENARIO_KEYS },
        scenarios: results,
        latency,
        runs,
        knowledge,
        observability,
      },
      null,
      2,
    ),
  );
  log(`results written to ${out.slice(ROOT.length + 1)}`);
  const bad = [
    ...LOAD_KEYS.filter((key) => results[key].bad.length > 0),
    ...LATENCY_KEYS.filter((key) => latency[key].failures > 0),
    ...RUN_KEYS.filter((key) => runs[key].failures > 0),
    ...WORKFLOW_KEYS.filter((key) => runs[key].failures > 0),
    ...SCHEDULE_KEYS.filter((key) => runs[key].failures > 0),
    ...OBSERVABILITY_KEYS.filter((key) => observability[key].tracing.on.failures + observability[key].tracing.off.failures > 0),
    ...FACE_KEYS.filter((key) => runs[key].failures > 0),
    ...(knowledge.search && knowledge.search.hybridFiltered.failures + knowledge.search.vector.failures > 0 ? ['knowledge-search'] : []),
  ];
  if (bad.length) throw new Error(`non-2xx responses under load on ${bad.join(', ')} (see above)`);
}

/** One route: warm-up, interleaved rounds, and its report. */
async function runScenario(key, scenario, targets, token, dbName) {
  const names = Object.keys(targets);
  console.log(`\n==== ${scenario.label}`);
  const pgPids = async (which) => (await backendPids(ADMIN_URL, dbName))[which];
  const phase = (name, duration) =>
    autocannon({
      url: `${targets[name].base}${scenario.path(targets[name])}`,
      method: scenario.method,
      body: scenario.body,
      headers: { Authorization: `Bearer ${token}` },
      connections: CONNECTIONS,
      duration,
      pids: { ...cpuGroups(targets[name]), postgres: () => pgPids(name === 'floor' ? 'floor' : 'platform') },
    });

  for (const name of names) {
    const w = await phase(name, WARMUP);
    log(`warm-up ${name}: ${fmt(w.rps, 0)} req/s, non-2xx ${w.non2xx}, errors ${w.errors}`);
  }

  const rounds = Object.fromEntries(names.map((n) => [n, []]));
  const perRound = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const order = r % 2 ? names : [...names].reverse();
    for (const name of order) {
      await sleep(500);
      const res = await phase(name, DURATION);
      rounds[name].push(res);
      perRound.push([name, r, fmt(res.rps, 0), fmt(res.p50, 1), fmt(res.p99, 1), res.non2xx, res.errors + res.timeouts]);
      log(`round ${r} ${name}: ${fmt(res.rps, 0)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms, non-2xx ${res.non2xx}, errors ${res.errors}, timeouts ${res.timeouts}`);
    }
  }

  const summary = {};
  for (const name of names) {
    const rs = rounds[name];
    const cpu = {};
    for (const proc of Object.keys(rs[0].cpuUsPerReq)) cpu[proc] = median(rs.map((x) => x.cpuUsPerReq[proc]));
    summary[name] = {
      rps: median(rs.map((x) => x.rps)),
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      requests: rs.reduce((n, x) => n + x.requests, 0),
      non2xx: rs.reduce((n, x) => n + x.non2xx, 0),
      errors: rs.reduce((n, x) => n + x.errors + x.timeouts, 0),
      cpuUsPerReq: cpu,
    };
  }

  console.log('\nPer round:');
  console.log(table(['target', 'round', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], perRound));

  console.log(`\n${scenario.label}, ${CONNECTIONS} connections, median of ${ROUNDS} x ${DURATION}s:`);
  const rows = names.map((n) => [n, fmt(summary[n].rps, 0), fmt(summary[n].p50, 1), fmt(summary[n].p99, 1), summary[n].non2xx, summary[n].errors]);
  let ratios = null;
  if (summary.platform) {
    const p = summary.platform;
    const f = summary.floor;
    ratios = { rps: p.rps / f.rps, p50: p.p50 / f.p50, p99: p.p99 / f.p99 };
    rows.push(['platform/floor', fmt(ratios.rps, 2), fmt(ratios.p50, 2), fmt(ratios.p99, 2), '', '']);
  }
  console.log(table(['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], rows));

  // CPU µs per request, per process (median over rounds).
  const cpuRows = [];
  const fCpu = summary.floor.cpuUsPerReq;
  cpuRows.push(['floor server', fmt(fCpu.server)]);
  cpuRows.push(['floor responder', fmt(fCpu.responder)]);
  const floorSum = fCpu.server + fCpu.responder;
  cpuRows.push(['floor sum (server+responder)', fmt(floorSum)]);
  cpuRows.push(['  postgres backends (floor, approx.)', fmt(fCpu.postgres)]);
  let platformCpu = null;
  if (summary.platform) {
    const pCpu = summary.platform.cpuUsPerReq;
    const apps = Object.keys(pCpu).filter((k) => k !== 'postgres');
    for (const app of apps) cpuRows.push([`platform ${app}`, fmt(pCpu[app])]);
    const pair = pCpu.gateway + pCpu[scenario.service];
    const all = apps.reduce((s, a) => s + pCpu[a], 0);
    cpuRows.push([`platform sum (gateway+${scenario.service})`, fmt(pair)]);
    cpuRows.push(['platform sum (all apps)', fmt(all)]);
    cpuRows.push(['  postgres backends (platform, approx.)', fmt(pCpu.postgres)]);
    cpuRows.push([`ratio platform/floor (gateway+${scenario.service} vs server+responder)`, fmt(pair / floorSum, 2)]);
    cpuRows.push(['ratio platform/floor (all apps vs server+responder)', fmt(all / floorSum, 2)]);
    platformCpu = { service: scenario.service, gatewayPlusService: pair, allApps: all, ratioToFloor: all / floorSum, servicePairRatioToFloor: pair / floorSum };
  }
  console.log(`\nCPU time per request (µs, utime+stime from /proc/<pid>/stat, ${DURATION}s phases, median of ${ROUNDS}):`);
  console.log(table(['process', 'µs/request'], cpuRows));

  const bad = names.filter((n) => summary[n].non2xx > 0 || summary[n].errors > 0);
  if (bad.length) {
    console.log(`\nWARNING: non-2xx responses or errors under load on: ${bad.map((n) => `${n} (non-2xx ${summary[n].non2xx}, errors ${summary[n].errors})`).join(', ')}`);
  } else {
    console.log(`\nnon-2xx: 0 on every target (${names.map((n) => `${n}: ${summary[n].requests} requests`).join(', ')})`);
  }
  return { label: scenario.label, summary, ratios, cpu: { floorServerPlusResponder: floorSum, platform: platformCpu }, rounds, bad };
}

runMain(main);
