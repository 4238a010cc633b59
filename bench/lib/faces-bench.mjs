// The platform's faces against the same call made straight to the model server, interleaved call
// by call so both see the same machine (the pattern of run-bench.mjs):
//
// openai-compat   : POST /v1/chat/completions with the agent as the model, read to its end:
//                   once answered as one JSON completion (stream: false), once as chunks up to
//                   `data: [DONE]` (stream: true, stream_options.include_usage). Each call is a
//                   run of the agent, so the overhead is the run's (queue row, claim, steps,
//                   events, usage) plus the face's (model resolution by slug, OpenAI shapes).
// mcp-server-call : one tools/call of the published agent through /mcp with the SDK's client
//                   (stateless Streamable HTTP: the client's session is kept, every POST builds
//                   the caller's server), read to its result.
//
// The direct figure is one streamed chat completion straight to the model server, read to its
// end (what the platform itself asks the model for a run). (Named mcp-server-call so as not to
// clash with mcp-call, which measures MCP tool calls made by runs: bench/lib/mcp-bench.mjs.)
import { comparison, directCall } from './run-bench.mjs';
import { apiRequest as api, sleep } from './util.mjs';

const INSTANT_REPLY = { kind: 'text', text: 'Hello from the bench model.', usage: { promptTokens: 20, completionTokens: 6 } };

/** A published agent named for the faces: its slug is the OpenAI model and the MCP tool name. */
export async function createFacesAgent(base, token) {
  const agent = await api(base, token, 'POST', '/api/v1/agents', {
    name: 'Bench face agent',
    modelProvider: 'openai',
    modelName: 'gpt-4o-mini',
    systemPrompt: 'You are a helpful assistant.',
    tools: [],
    memory: { strategy: 'none' },
  });
  await api(base, token, 'POST', `/api/v1/agents/${agent.id}/publish`, {});
  return { id: agent.id, slug: 'bench-face-agent' };
}

async function chatCall(base, token, model, stream) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const ok = res.status === 200 && (stream ? text.trimEnd().endsWith('data: [DONE]') && text.includes('"finish_reason":"stop"') : JSON.parse(text).choices?.[0]?.finish_reason === 'stop');
  return { ms, ok };
}

async function interleave(count, platformCall, model) {
  const warmup = Math.min(20, count);
  for (let i = 0; i < warmup; i++) {
    await platformCall();
    await directCall(model, false);
  }
  const platform = [];
  const direct = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const call = await platformCall();
    if (!call.ok) failures++;
    else platform.push(call.ms);
    direct.push(await directCall(model, false));
    if (i % 50 === 49) await sleep(10);
  }
  return comparison({ count, failures, platform, direct });
}

/** /v1/chat/completions, non-streaming then streaming, each interleaved with the direct call. */
export async function measureOpenAiCompat({ base, token, agent, model, count }) {
  model.setDefaultReply(INSTANT_REPLY);
  return {
    json: await interleave(count, () => chatCall(base, token, agent.slug, false), model),
    stream: await interleave(count, () => chatCall(base, token, agent.slug, true), model),
  };
}

/** One /mcp tools/call of the agent per sample, through the SDK's client, interleaved with the direct call. */
export async function measureMcpServerCalls({ base, token, agent, model, count, root }) {
  const { Client } = await import(`${root}/node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js`);
  const { StreamableHTTPClientTransport } = await import(`${root}/node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js`);
  model.setDefaultReply(INSTANT_REPLY);
  const client = new Client({ name: 'bench-mcp-server', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    return await interleave(
      count,
      async () => {
        const t = process.hrtime.bigint();
        const result = await client.callTool({ name: agent.slug, arguments: { message: 'Say hello.' } });
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        return { ms, ok: !result.isError && result.content?.[0]?.text === INSTANT_REPLY.text };
      },
      model,
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}
