// One MCP tool call through the platform against the same call made straight to the server:
//
// mcp-call : an agent run whose model asks for the test server's `echo` tool once, then answers.
//            The platform figure is the run's tool step (started -> completed, as journalled by
//            the execution service: the call to the integration service over NATS, its session
//            with the MCP server, the usage row). The direct figure is an MCP client (the SDK's,
//            one kept session, Streamable HTTP) calling `echo` on the same server, interleaved
//            call by call so both see the same machine. The difference is the platform's own
//            time per MCP call.
//
// The MCP server is libs/testing's McpTestServer (from dist/), in this process.
import { percentile, sleep } from './util.mjs';

export async function startMcpServer(root) {
  const { McpTestServer } = await import(`${root}/dist/libs/testing/src/mcp-test-server.js`);
  return McpTestServer.start();
}

async function api(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

export async function measureMcpCalls({ base, token, model, mcp, count, root }) {
  const { Client } = await import(`${root}/node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js`);
  const { StreamableHTTPClientTransport } = await import(`${root}/node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js`);
  const server = await api(base, token, 'POST', '/api/v1/mcp-servers', { name: 'bench', transport: 'streamable_http', url: mcp.url });
  await api(base, token, 'POST', `/api/v1/mcp-servers/${server.id}/check`);
  const agent = await api(base, token, 'POST', '/api/v1/agents', {
    name: 'Bench MCP agent',
    modelProvider: 'openai',
    modelName: 'gpt-4o-mini',
    systemPrompt: 'Use echo.',
    tools: [{ kind: 'mcp', name: 'bench', refId: server.id, include: ['echo'] }],
    memory: { strategy: 'none' },
  });
  const direct = new Client({ name: 'bench-direct', version: '1.0.0' });
  await direct.connect(new StreamableHTTPClientTransport(new URL(mcp.url)));

  const platformCall = async (i) => {
    model.replyToolCalls([{ id: `call_bench_${i}`, name: 'echo', arguments: { text: 'bench' } }]).replyText('done');
    const run = await api(base, token, 'POST', `/api/v1/agents/${agent.id}/runs`, { input: 'Echo once.' });
    if (run.status !== 'completed') return undefined;
    const steps = await api(base, token, 'GET', `/api/v1/runs/${run.id}/steps`);
    const step = steps.items.find((s) => s.key === `tool:call_bench_${i}`);
    if (!step?.completedAt) return undefined;
    return new Date(step.completedAt).getTime() - new Date(step.startedAt).getTime();
  };
  const directCall = async () => {
    const t = process.hrtime.bigint();
    await direct.callTool({ name: 'echo', arguments: { text: 'bench' } });
    return Number(process.hrtime.bigint() - t) / 1e6;
  };

  const warmup = Math.min(10, count);
  for (let i = 0; i < warmup; i++) {
    await platformCall(`w${i}`);
    await directCall();
  }
  const platform = [];
  const directTimes = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const ms = await platformCall(i);
    if (ms === undefined) failures++;
    else platform.push(ms);
    directTimes.push(await directCall());
    if (i % 50 === 49) await sleep(10);
  }
  await direct.close();
  const p = summary(platform);
  const d = summary(directTimes);
  return { requests: count, failures, platform: p, direct: d, overhead: { p50: p.p50 - d.p50, p95: p.p95 - d.p95 } };
}
