// Schedule precision: a workflow with no model call (start -> transform ->
// output) on a per-second cron over a window of `ticks` seconds, with the
// platform's default scheduler settings. For each tick, the delay from the tick
// (the second it was due) to the run's start (`startedAt`, when an execution
// worker took it): the scheduler's pass interval, the tick's row, the
// start-for-owner request, the queue and the worker's claim. One run per tick
// is the expected count; any other count is a failure.
import { summary } from './run-bench.mjs';
import { percentile, sleep } from './util.mjs';

const WORKFLOW = {
  name: 'Bench schedule',
  definition: {
    inputs: [{ name: 'topic', type: 'string', required: true }],
    outputs: [{ name: 'label', type: 'string' }],
    state: [{ name: 'label', type: 'string' }],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'label', type: 'transform', config: { set: { label: "'about ' + inputs.topic" } } },
      { id: 'out', type: 'output', config: { values: { label: 'state.label' } } },
    ],
    edges: [
      { from: 'start', to: 'label' },
      { from: 'label', to: 'out' },
    ],
  },
};

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** The runs of one workflow, oldest first. */
async function runsOf(base, token, workflowId) {
  const runs = [];
  let cursor = null;
  do {
    const page = await call(base, token, 'GET', `/api/v1/runs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return runs.filter((r) => r.workflowId === workflowId).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
}

/** Schedules `ticks` per-second ticks from two seconds on, waits for their runs, and returns the tick-to-start delays. */
export async function measureSchedulePrecision({ base, token, ticks }) {
  const workflow = await call(base, token, 'POST', '/api/v1/workflows', WORKFLOW);
  const startAt = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  const endAt = startAt + ticks * 1000;
  const schedule = await call(base, token, 'POST', '/api/v1/schedules', {
    workflowId: workflow.id,
    cron: '* * * * * *',
    inputs: { topic: 'ticks' },
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(endAt).toISOString(),
  });
  let runs = [];
  const deadline = endAt + 30_000;
  while (Date.now() < deadline) {
    await sleep(1000);
    runs = await runsOf(base, token, workflow.id);
    if (Date.now() > endAt + 2000 && runs.length >= ticks && runs.every((r) => r.startedAt)) break;
  }
  await call(base, token, 'DELETE', `/api/v1/schedules/${schedule.id}`);
  // One run per tick, started in tick order: the i-th run belongs to the i-th tick.
  const started = runs.filter((r) => r.startedAt);
  const delays = started.map((r, i) => Date.parse(r.startedAt) - (startAt + i * 1000));
  const s = summary(delays);
  // The two halves: the workflow service (tick to the run's row) and the execution service (row to a worker's claim).
  const toCreated = summary(started.map((r, i) => Date.parse(r.createdAt) - (startAt + i * 1000)));
  const toStarted = summary(started.map((r) => Date.parse(r.startedAt) - Date.parse(r.createdAt)));
  return {
    ticks,
    runs: runs.length,
    failures: Math.abs(runs.length - ticks) + runs.filter((r) => r.status !== 'completed').length,
    p50: s.p50,
    p95: s.p95,
    max: percentile([...delays].sort((a, b) => a - b), 100),
    mean: s.mean,
    tickToCreated: { p50: toCreated.p50, p95: toCreated.p95 },
    createdToStarted: { p50: toStarted.p50, p95: toStarted.p95 },
  };
}
