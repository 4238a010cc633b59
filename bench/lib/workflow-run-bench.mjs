// Workflow runs through the gateway against a model server that answers at
// once, measured beside the same model calls made directly, interleaved run by
// run so both see the same machine:
//
// workflow-run : POST /api/v1/workflows/:id/runs (wait) on a five-node workflow
//                (start -> llm -> transform -> llm -> output) vs its two model
//                calls made straight to the model server, one after the other.
//                The difference, divided by the five nodes, is the platform's
//                own time per node: queue row, claim, the pinned definition,
//                a journal step and two node events per node, the model client,
//                the run's end.
import { summary } from './run-bench.mjs';
import { percentile, sleep } from './util.mjs';

const NODES = 5;
const WORKFLOW = {
  name: 'Bench workflow',
  definition: {
    inputs: [{ name: 'topic', type: 'string', required: true }],
    outputs: [{ name: 'answer', type: 'string' }],
    state: [
      { name: 'draft', type: 'string' },
      { name: 'size', type: 'integer' },
      { name: 'answer', type: 'string' },
    ],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'draft', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate: 'Say hello about {{ inputs.topic }}.', output: 'draft' } },
      { id: 'measure', type: 'transform', config: { set: { size: 'len(state.draft)' } } },
      { id: 'polish', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate: 'Polish ({{ state.size }} characters): {{ state.draft }}', output: 'answer' } },
      { id: 'out', type: 'output', config: { values: { answer: 'state.answer' } } },
    ],
    edges: [
      { from: 'start', to: 'draft' },
      { from: 'draft', to: 'measure' },
      { from: 'measure', to: 'polish' },
      { from: 'polish', to: 'out' },
    ],
  },
};
const INSTANT_REPLY = { kind: 'text', text: 'Hello from the bench model.', usage: { promptTokens: 20, completionTokens: 6 } };

export async function createRunWorkflow(base, token) {
  const res = await fetch(`${base}/api/v1/workflows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(WORKFLOW),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/v1/workflows -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text).id;
}

/** One model call straight to the model server, streamed to its end, as the platform makes it. */
async function directCall(model, prompt) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }] }),
  });
  await res.text();
  if (res.status !== 200) throw new Error(`direct model call -> ${res.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function platformRun(base, token, workflowId) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${base}/api/v1/workflows/${workflowId}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ inputs: { topic: 'tides' } }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.json();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, ok: res.status === 200 && body.status === 'completed' };
}

/** Sequential, interleaved: one workflow run, then its two model calls made directly, `count` times after a warm-up. */
export async function measureWorkflowRuns({ base, token, workflowId, model, count }) {
  model.setDefaultReply(INSTANT_REPLY);
  const direct2 = async () => (await directCall(model, 'Say hello about tides.')) + (await directCall(model, 'Polish: Hello from the bench model.'));
  const warmup = Math.min(20, count);
  for (let i = 0; i < warmup; i++) {
    await platformRun(base, token, workflowId);
    await direct2();
  }
  const platform = [];
  const direct = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const run = await platformRun(base, token, workflowId);
    if (!run.ok) failures++;
    else platform.push(run.ms);
    direct.push(await direct2());
    if (i % 50 === 49) await sleep(10);
  }
  const p = summary(platform);
  const d = summary(direct);
  return {
    requests: count,
    failures,
    nodes: NODES,
    platform: p,
    direct: d,
    overhead: { p50: p.p50 - d.p50, p95: p.p95 - d.p95 },
    perNode: { p50: (p.p50 - d.p50) / NODES, p95: (p.p95 - d.p95) / NODES },
    p50: p.p50,
    p95: p.p95,
    p99: percentile([...platform].sort((a, b) => a - b), 99),
    mean: p.mean,
  };
}
