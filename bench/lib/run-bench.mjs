// Agent runs through the gateway against a model server that answers at once,
// measured beside the same model call made directly, interleaved request by
// request so both see the same machine:
//
// agent-run : POST /api/v1/agents/:id/runs (wait for the answer) vs one
//             streamed chat completion straight to the model server, read to
//             its end. The difference is the platform's own time per run
//             (gateway, identity check, queue row, claim, agent resolve, model
//             client, steps, events, run end with outbox, session and usage).
//             Also vs the same route on the floor (floor-server.mjs): HTTP in,
//             a NATS request, the run's row written during the model call, the
//             answer stored with the run's end, the reply.
// run-ttft  : POST /api/v1/agents/:id/runs?stream=true until the first
//             `event: token`, vs the first content chunk of the same call
//             straight to the model server (which streams 20 chunks 20 ms apart),
//             and vs the same route on the floor: the hops a
//             durable streamed run takes (HTTP in, a NATS request, the model
//             call, the token stored, a NATS publish, SSE out) with nothing else.
//
// The model server is libs/testing's FakeOpenAiServer (from dist/), in this
// process: real HTTP with SSE, the same bytes OpenAI's API sends.
import { percentile, sleep } from './util.mjs';

const RUN_AGENT = {
  name: 'Bench run agent',
  modelProvider: 'openai',
  modelName: 'gpt-4o-mini',
  systemPrompt: 'You are a helpful assistant.',
  tools: [],
  memory: { strategy: 'none' },
};
const INSTANT_REPLY = { kind: 'text', text: 'Hello from the bench model.', usage: { promptTokens: 20, completionTokens: 6 } };
const STREAMED_REPLY = { kind: 'text', text: Array.from({ length: 20 }, (_, i) => `tok${i} `), chunkDelayMs: 20, usage: { promptTokens: 20, completionTokens: 20 } };

export async function startModelServer(root) {
  const { FakeOpenAiServer } = await import(`${root}/dist/libs/testing/src/fake-openai-server.js`);
  return FakeOpenAiServer.start();
}

export async function createRunAgent(base, token) {
  const res = await fetch(`${base}/api/v1/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(RUN_AGENT),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/v1/agents -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text).id;
}

/** The direct call: what any client of the model server pays, with the platform's request shape. */
export async function directCall(model, untilFirstToken) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: RUN_AGENT.systemPrompt },
        { role: 'user', content: 'Say hello.' },
      ],
    }),
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (untilFirstToken && /"content":"[^"]+"/.test(seen)) {
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      await reader.cancel();
      return ms;
    }
  }
  if (res.status !== 200) throw new Error(`direct model call -> ${res.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function platformRun(base, token, agentId, stream) {
  const sentAt = wallMs();
  const t = process.hrtime.bigint();
  const res = await fetch(`${base}/api/v1/agents/${agentId}/runs${stream ? '?stream=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ input: 'Say hello.' }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!stream) {
    const body = await res.json();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    return { ms, ok: res.status === 200 && body.status === 'completed', runId: body.id, sentAt, doneAt: sentAt + ms };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let firstToken;
  let runId;
  let ended = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    runId ??= /"runId":"([^"]+)"/.exec(seen)?.[1];
    if (firstToken === undefined && seen.includes('event: token\n')) firstToken = Number(process.hrtime.bigint() - t) / 1e6;
    if (seen.includes('event: run.completed\n')) ended = true;
  }
  return { ms: firstToken ?? NaN, ok: res.status === 200 && firstToken !== undefined && ended, runId, sentAt, doneAt: sentAt + (firstToken ?? NaN) };
}

export function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

/**
 * Sequential, interleaved: one platform run, then (given `floor`) the same run on the floor, then
 * one direct model call, `count` times after a warm-up. Overhead per run is
 * reported as the difference of the distributions' percentiles; the floor's as `floor`.
 */
export async function measureRuns({ base, token, agentId, model, count, ttft, stages, floor }) {
  model.setDefaultReply(ttft ? STREAMED_REPLY : INSTANT_REPLY);
  const warmup = Math.min(20, count);
  for (let i = 0; i < warmup; i++) {
    await platformRun(base, token, agentId, ttft);
    if (floor) await platformRun(floor.base, 'floor', floor.agentId, ttft);
    await directCall(model, ttft);
  }
  const platform = [];
  const floorTimes = [];
  const direct = [];
  const timed = [];
  let failures = 0;
  let floorFailures = 0;
  for (let i = 0; i < count; i++) {
    const run = await platformRun(base, token, agentId, ttft);
    if (!run.ok) failures++;
    else {
      platform.push(run.ms);
      timed.push(run);
    }
    if (floor) {
      const floorRun = await platformRun(floor.base, 'floor', floor.agentId, ttft);
      if (floorRun.ok) floorTimes.push(floorRun.ms);
      else floorFailures++;
    }
    direct.push(await directCall(model, ttft));
    if (i % 50 === 49) await sleep(10);
  }
  const result = comparison({ count, failures, platform, direct });
  if (floor) result.floor = comparison({ count, failures: floorFailures, platform: floorTimes, direct });
  if (stages) {
    await sleep(500); // the execution service writes a run's stages shortly after it ends
    result.stages = stageBreakdown(timed, stages, ttft ? 'first token' : 'answer');
  }
  return result;
}

/** Platform and direct timings side by side: both distributions and the overhead of their percentiles. */
export function comparison({ count, failures, platform, direct }) {
  const p = summary(platform);
  const d = summary(direct);
  return {
    requests: count,
    failures,
    platform: p,
    direct: d,
    overhead: { p50: p.p50 - d.p50, p95: p.p95 - d.p95 },
    // The latency-table columns: the platform's own figures.
    p50: p.p50,
    p95: p.p95,
    p99: percentile([...platform].sort((a, b) => a - b), 99),
    mean: p.mean,
  };
}

function wallMs() {
  return performance.timeOrigin + performance.now();
}

/**
 * --run-stages: the execution service (EXECUTION_RUN_STAGES=true) writes one line per run with
 * its marks: [stage, wall-clock ms, SQL statements sent so far, bus requests sent so far]. Both
 * processes read the same clock, so the bench's own send and receive times join them.
 */
export function collectRunStages(proc) {
  const byRun = new Map();
  let rest = '';
  proc.stdout.on('data', (chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      if (!line.startsWith('{"runStages"')) continue;
      const { runStages } = JSON.parse(line);
      byRun.set(runStages.runId, runStages.marks);
    }
  });
  return byRun;
}

/**
 * Per interval between consecutive marks (client send -> first mark -> ... -> the client's
 * answer), over the timed runs: p50 and p95 in ms, and the SQL statements and bus requests the
 * execution service sent in it (mean per run; exact only because runs go one at a time).
 */
function stageBreakdown(timed, stages, end) {
  const intervals = new Map();
  let joined = 0;
  for (const run of timed) {
    const marks = stages.get(run.runId);
    if (!marks) continue;
    joined++;
    // In time order: some marks are written after the moment they name (a start's, before the run had an id).
    const inTime = marks.filter((m) => m[1] <= run.doneAt).sort((a, b) => a[1] - b[1]);
    const points = [['client sent', run.sentAt, null, null], ...inTime, [`client got the ${end}`, run.doneAt, null, null]];
    for (let i = 1; i < points.length; i++) {
      const [from, fromAt, fromSql, fromBus] = points[i - 1];
      const [to, toAt, toSql, toBus] = points[i];
      const key = `${from} -> ${to}`;
      let entry = intervals.get(key);
      if (!entry) intervals.set(key, (entry = { order: i, ms: [], sql: 0, bus: 0 }));
      entry.ms.push(toAt - fromAt);
      if (fromSql !== null && toSql !== null) {
        entry.sql += toSql - fromSql;
        entry.bus += toBus - fromBus;
      }
    }
  }
  const rows = [...intervals.entries()]
    .sort((a, b) => a[1].order - b[1].order)
    .map(([interval, e]) => ({ interval, runs: e.ms.length, ...summary(e.ms), sqlPerRun: e.sql / e.ms.length, busPerRun: e.bus / e.ms.length }));
  return { joined, rows };
}

export function stageTable(stages) {
  const pad = (s, n) => String(s).padEnd(n);
  const lines = [`stages of ${stages.joined} runs (p50 / p95 ms; SQL statements and bus requests sent by execution, per run)`];
  for (const r of stages.rows) {
    lines.push(`  ${pad(r.interval, 52)} ${pad(r.p50.toFixed(2), 7)} ${pad(r.p95.toFixed(2), 7)} sql ${pad(r.sqlPerRun.toFixed(1), 5)} bus ${r.busPerRun.toFixed(1)}${r.runs < stages.joined ? ` (${r.runs} runs)` : ''}`);
  }
  return lines.join('\n');
}
