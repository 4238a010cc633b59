import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { Cluster, createTestDatabase, FakeOpenAiServer, registerUser, singleLlmWorkflow, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { eventually } from './support/waits.js';

type Res = { status: number; headers: Headers; body: any; text: string };

/**
 * The platform as an MCP server (/mcp, Streamable HTTP) through the SDK's own client, against the
 * whole platform (every app its own process over the real NATS and PostgreSQL) with a fake model
 * server: the caller's published agents and workflows are the tools, a call is a run with progress
 * notifications, and a read-only key may list but not call.
 */
describe('agents and workflows as an MCP server (/mcp) through the SDK client', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;
  let stranger: TestUser;
  let agentId: string;
  let workflowId: string;
  let fullKey: string;
  let readKey: string;
  let strangerKey: string;
  const clients: Client[] = [];

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token: string): Promise<Res> => api().request('POST', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string): Promise<Res> => api().request('GET', `/api/v1${path}`, { token });
  const newKey = async (token: string, scopes: string[]): Promise<string> => {
    const res = await post('/api-keys', { name: `k-${scopes.join('-')}`, scopes }, token);
    expect(res.status).toBe(201);
    return res.body.key as string;
  };
  const newAgent = async (token: string, name: string, publish: boolean): Promise<string> => {
    const res = await post('/agents', { name, description: `${name}, for tests`, modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.' }, token);
    expect(res.status).toBe(201);
    if (publish) expect((await post(`/agents/${res.body.id as string}/publish`, {}, token)).status).toBe(200);
    return res.body.id as string;
  };
  const connect = async (key: string): Promise<Client> => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${api().baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('mcpserver'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('mcpserver'),
      perApp: {
        identity: { ENCRYPTION_KEYS: `mcp:${randomBytes(32).toString('base64')}` },
        execution: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test', EXECUTION_MODEL_MAX_RETRIES: '0' },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
    agentId = await newAgent(owner.accessToken, 'Research Helper', true);
    await newAgent(owner.accessToken, 'Draft Only', false);
    await newAgent(stranger.accessToken, 'Stranger Helper', true);
    const workflow = await post(
      '/workflows',
      {
        name: 'Summarize Topic',
        description: 'Writes about a topic',
        definition: singleLlmWorkflow(
          [
            { name: 'topic', type: 'string', required: true, description: 'What to write about' },
            { name: 'words', type: 'integer', default: 50 },
          ],
          'Write {{ inputs.words }} words about {{ inputs.topic }}',
        ),
      },
      owner.accessToken,
    );
    expect(workflow.status).toBe(201);
    workflowId = workflow.body.id as string;
    expect((await post(`/workflows/${workflowId}/publish`, {}, owner.accessToken)).status).toBe(200);
    [fullKey, readKey, strangerKey] = await Promise.all([newKey(owner.accessToken, ['full']), newKey(owner.accessToken, ['read']), newKey(stranger.accessToken, ['full'])]);
  });

  beforeEach(() => {
    fake.reset();
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await cluster?.stop();
    await fake?.stop();
  });

  describe('successful', () => {
    it("lists the caller's published agents and workflows as tools, with input schemas from their declared inputs", async () => {
      const { tools } = await (await connect(fullKey)).listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['research-helper', 'summarize-topic']);
      expect(tools.find((t) => t.name === 'research-helper')).toMatchObject({
        description: 'Research Helper, for tests',
        inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      });
      expect(tools.find((t) => t.name === 'summarize-topic')?.inputSchema).toEqual({
        type: 'object',
        properties: { topic: { type: 'string', description: 'What to write about' }, words: { type: 'integer', default: 50 } },
        required: ['topic'],
      });
    });

    it('calls an agent: the call is a run, its progress comes as notifications, its answer as the result', async () => {
      fake.replyText(['The answer ', 'is 42.'], { usage: { promptTokens: 9, completionTokens: 4 } });
      const progress: Progress[] = [];
      const result = await (await connect(fullKey)).callTool({ name: 'research-helper', arguments: { message: 'What is the answer?' } }, undefined, {
        onprogress: (p) => progress.push(p),
      });
      expect(result).toMatchObject({ content: [{ type: 'text', text: 'The answer is 42.' }] });
      expect(result.isError).toBeFalsy();
      const runId = (result._meta as { runId: string }).runId;
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));
      expect(progress.map((p) => p.message)).toEqual(expect.arrayContaining([`run ${runId} queued`, 'run.started', 'run.completed']));
      expect(fake.completions[0].body.messages.at(-1)).toEqual({ role: 'user', content: 'What is the answer?' });
      const run = await get(`/runs/${runId}`, owner.accessToken);
      expect(run.body).toMatchObject({ status: 'completed', agentId, agentVersion: 1, usage: { totalTokens: 13 } });
    });

    it("calls a workflow with its inputs (defaults filled) and answers its output", async () => {
      fake.replyText('Tides rise and fall.');
      const result = await (await connect(fullKey)).callTool({ name: 'summarize-topic', arguments: { topic: 'tides' } });
      expect(result).toMatchObject({ content: [{ type: 'text', text: 'Tides rise and fall.' }] });
      expect(String(fake.completions[0].body.messages.at(-1).content)).toBe('Write 50 words about tides');
      const run = await get(`/runs/${(result._meta as { runId: string }).runId}`, owner.accessToken);
      expect(run.body).toMatchObject({ status: 'completed', workflowId });
    });

    it('lets a run go on when the client gives up on the call (a dropped connection is not a cancel)', async () => {
      fake.replyText(['slow ', 'but ', 'sure'], { chunkDelayMs: 300 });
      const before = await get(`/runs?agentId=${agentId}`, owner.accessToken);
      const controller = new AbortController();
      const call = (await connect(fullKey)).callTool({ name: 'research-helper', arguments: { message: 'take your time' } }, undefined, { signal: controller.signal });
      await fake.waitForCompletions(1);
      controller.abort();
      await expect(call).rejects.toThrow();
      const runs = await eventually(
        () => get(`/runs?agentId=${agentId}`, owner.accessToken),
        (res) => res.body.items.length === before.body.items.length + 1 && res.body.items[0].status === 'completed',
      );
      expect(runs.body.items[0].output).toMatchObject({ content: 'slow but sure' });
    });
  });

  describe('failing', () => {
    it('lets a read-only key list tools but refuses its calls', async () => {
      const client = await connect(readKey);
      expect((await client.listTools()).tools).toHaveLength(2);
      await expect(client.callTool({ name: 'research-helper', arguments: { message: 'hi' } })).rejects.toThrow(/read-only/);
      expect(fake.completions).toHaveLength(0);
    });

    it("shows another user none of the caller's tools, and cannot call them", async () => {
      const client = await connect(strangerKey);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['stranger-helper']);
      await expect(client.callTool({ name: 'research-helper', arguments: { message: 'hi' } })).rejects.toThrow(/no tool named research-helper/);
      expect(fake.completions).toHaveLength(0);
    });

    it('refuses a request without a valid Bearer credential 401, and answers bad arguments and a failed run as tool errors', async () => {
      const bare = await fetch(`${api().baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(bare.status).toBe(401);
      // The README's curl: one POST, no session, answered as an SSE message; GET has nothing to stream.
      const listed = await fetch(`${api().baseUrl}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(listed.status).toBe(200);
      const frame = /^data: (.+)$/m.exec(await listed.text());
      expect(JSON.parse(frame?.[1] ?? '{}')).toMatchObject({ jsonrpc: '2.0', id: 1, result: { tools: expect.arrayContaining([expect.objectContaining({ name: 'research-helper' })]) } });
      expect((await fetch(`${api().baseUrl}/mcp`, { headers: { authorization: `Bearer ${readKey}`, accept: 'text/event-stream' } })).status).toBe(405);
      await expect(connect('ap_live_not-a-real-key')).rejects.toThrow();

      const client = await connect(fullKey);
      const noMessage = await client.callTool({ name: 'research-helper', arguments: {} });
      expect(noMessage).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/^VALIDATION_FAILED/) }] });
      fake.replyError(400, 'context window exceeded');
      const failed = await client.callTool({ name: 'research-helper', arguments: { message: 'hi' } });
      expect(failed).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/failed: PROVIDER_ERROR/) }] });
    });
  });
});
