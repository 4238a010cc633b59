// Agent runs through the gateway against a model server that answers at once,
// measured beside the same model call made directly, interleaved request by
// request so both see the same machine:
//
// agent-run : POST /api/v1/agents/:id/runs (wait for the answer) vs one
//             streamed chat completion straight to the model server, read to
//             its end. The difference is the platform's own time per run
//             (gateway, identity check, queue row, claim, agent resolve, model
//             client, steps, events, run end with outbox, session and usage).
// run-ttft  : POST /api/v1/agents/:id/runs?stream=true until the first
//             `event: token`, vs the first content chunk of the same call
//             straight to the model server (which streams 20 chunks 20 ms apart).
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
    return { ms, ok: res.status === 200 && body.status === 'completed' };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let firstToken;
  let ended = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (firstToken === undefined && seen.includes('event: token\n')) firstToken = Number(process.hrtime.bigint() - t) / 1e6;
    if (seen.includes('event: run.completed\n')) ended = true;
  }
  return { ms: firstToken ?? NaN, ok: res.status === 200 && firstToken !== undefined && ended };
}

export function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

/**
 * Sequential, interleaved: one platform run, then one direct model call, `count` times after a
 * warm-up. Overhead per run is reported as the difference of the two distributions' percentiles.
 */
export async function measureRuns({ base, token, agentId, model, count, ttft }) {
  model.setDefaultReply(ttft ? STREAMED_REPLY : INSTANT_REPLY);
  const warmup = Math.min(20, count);
  for (let i = 0; i < warmup; i++) {
    await platformRun(base, token, agentId, ttft);
    await directCall(model, ttft);
  }
  const platform = [];
  const direct = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const run = await platformRun(base, token, agentId, ttft);
    if (!run.ok) failures++;
    else platform.push(run.ms);
    direct.push(await directCall(model, ttft));
    if (i % 50 === 49) await sleep(10);
  }
  return comparison({ count, failures, platform, direct });
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
