import { randomBytes } from 'node:crypto';
import { Cluster, createTestDatabase, FakeOpenAiServer, OtlpReceiver, type ReceivedSpan, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { type PromSample, scrape, sumOf } from './support/prometheus.js';
import { eventually } from './support/waits.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * What operators watch, every app its own process over the real NATS: Prometheus metrics on the
 * gateway's /metrics and on each service's health port, and OpenTelemetry traces exported over
 * OTLP/HTTP (JSON) to a collector this spec runs, where one run is one trace across the gateway,
 * the execution service and its model and tool calls.
 */
describe('metrics and traces, every app its own process', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let collector: OtlpReceiver;
  let owner: TestUser;
  let stranger: TestUser;
  let agentId: string;

  const gatewayMetrics = () => scrape(`${cluster.api.baseUrl}/metrics`);
  const serviceMetrics = (name: string) => scrape(`http://127.0.0.1:${cluster.app(name).healthPort() as number}/metrics`);
  const runAgent = async () => {
    fake.replyToolCalls([{ id: 'call_1', name: 'calculator', arguments: { expression: '6 * 7' } }], { usage: { promptTokens: 30, completionTokens: 5 } });
    fake.replyText('It is 42.', { usage: { promptTokens: 40, completionTokens: 4 } });
    const res = await cluster.api.post(`/api/v1/agents/${agentId}/runs`, { input: 'What is 6 * 7?' }, owner.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', output: { content: 'It is 42.' } });
    return res.body as { id: string; traceId: string };
  };

  beforeAll(async () => {
    [fake, collector] = await Promise.all([FakeOpenAiServer.start(), OtlpReceiver.start()]);
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('observe'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('observe'),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      perApp: {
        identity: { ENCRYPTION_KEYS: `obs:${randomBytes(32).toString('base64')}` },
        // Debug: the per-request "handled" lines, which carry the trace id, are debug lines.
        execution: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test', EXECUTION_POLL_MS: '300', LOG_LEVEL: 'debug' },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
    const agent = await cluster.api.post(
      '/api/v1/agents',
      { name: 'Counter', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Count.', tools: [{ kind: 'builtin', name: 'calculator' }] },
      owner.accessToken,
    );
    expect(agent.status).toBe(201);
    agentId = agent.body.id as string;
  });

  beforeEach(() => fake.reset());

  afterAll(async () => {
    await cluster?.stop();
    await Promise.all([fake?.stop(), collector?.stop()]);
  });

  describe('successful', () => {
    it('serves the Prometheus text format on the gateway, with process metrics and no ids in any label', async () => {
      const res = await gatewayMetrics();
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(sumOf(res.samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sumOf(res.samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(res.samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
      expect(res.text).toContain('# TYPE http_server_request_duration_seconds histogram');
    });

    it('counts HTTP requests by route template and status, and bus requests by subject and outcome, as they happen', async () => {
      const route = '/api/v1/agents/:id';
      const before = (await gatewayMetrics()).samples;
      expect((await cluster.api.get(`/api/v1/agents/${agentId}`, owner.accessToken)).status).toBe(200);
      expect((await cluster.api.get(`/api/v1/agents/${agentId}`, stranger.accessToken)).status).toBe(404);
      const after = (await gatewayMetrics()).samples;
      const count = (s: PromSample[], status: string) => sumOf(s, 'http_server_request_duration_seconds_count', { method: 'GET', route, status });
      expect(count(after, '200') - count(before, '200')).toBe(1);
      expect(count(after, '404') - count(before, '404')).toBe(1);
      // The agent service's answer to the stranger is a NOT_FOUND on agent.agents.get, not a failure of the bus.
      const busCount = (s: PromSample[], outcome: string) => sumOf(s, 'bus_request_duration_seconds_count', { subject: 'agent.agents.get', outcome });
      expect(busCount(after, 'ok') - busCount(before, 'ok')).toBeGreaterThanOrEqual(1);
      expect(busCount(after, 'NOT_FOUND') - busCount(before, 'NOT_FOUND')).toBe(1);
      for (const sample of after) for (const value of Object.values(sample.labels)) expect(value).not.toMatch(UUID);
    });

    it("counts a run, its model calls' tokens and cost, and its bus handling on the execution service's health port", async () => {
      const before = (await serviceMetrics('execution')).samples;
      await runAgent();
      const after = await eventually(
        async () => (await serviceMetrics('execution')).samples,
        (s) => sumOf(s, 'runs_ended_total', { kind: 'agent', status: 'completed' }) > sumOf(before, 'runs_ended_total', { kind: 'agent', status: 'completed' }),
      );
      const delta = (name: string, labels: Record<string, string>) => sumOf(after, name, labels) - sumOf(before, name, labels);
      expect(delta('runs_ended_total', { kind: 'agent', status: 'completed' })).toBe(1);
      expect(delta('run_duration_seconds_count', { kind: 'agent', status: 'completed' })).toBe(1);
      expect(delta('gen_ai_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'input' })).toBe(70);
      expect(delta('gen_ai_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'output' })).toBe(9);
      expect(delta('gen_ai_calls_total', { provider: 'openai', model: 'gpt-4o-mini', outcome: 'ok' })).toBe(2);
      expect(delta('gen_ai_cost_usd_total', { provider: 'openai', model: 'gpt-4o-mini' })).toBeGreaterThan(0);
      expect(delta('bus_handler_duration_seconds_count', { subject: 'execution.runs.start', outcome: 'ok' })).toBe(1);
      // Gauges read at scrape time: the queue is empty again, and the outbox has been relayed.
      expect(after.filter((s) => s.name === 'runs_queue_depth').map((s) => s.labels.kind).sort()).toEqual(['agent', 'workflow']);
      expect(sumOf(after, 'runs_queue_depth')).toBe(0);
      expect(sumOf(after, 'runs_queue_oldest_age_seconds')).toBe(0);
      expect(after.some((s) => s.name === 'outbox_pending_events' && s.labels.service === 'execution')).toBe(true);
      expect(after.some((s) => s.name === 'outbox_lag_seconds' && s.labels.service === 'execution')).toBe(true);
    });

    it("reports MCP servers by health on the integration service's health port", async () => {
      const before = (await serviceMetrics('integration')).samples;
      const created = await cluster.api.post('/api/v1/mcp-servers', { name: 'nowhere', transport: 'streamable_http', url: 'https://mcp.invalid/mcp' }, owner.accessToken);
      expect(created.status).toBe(201);
      const after = (await serviceMetrics('integration')).samples;
      expect(after.filter((s) => s.name === 'mcp_servers').map((s) => s.labels.health).sort()).toEqual(['healthy', 'unhealthy', 'unknown']);
      const all = (s: PromSample[]) => sumOf(s, 'mcp_servers');
      expect(all(after) - all(before)).toBe(1);
    });

    it('makes one run one trace: the gateway request, the bus hops, the execution service, the agent, the model calls and the tool call', async () => {
      const run = await runAgent();
      expect(run.traceId).toMatch(/^[0-9a-f]{32}$/);
      const spans = await eventually(
        async () => collector.trace(run.traceId),
        // The gateway's request span ends last (after the reply is written), so it may come in a later export than the rest.
        (s) => s.filter((x) => x.name === 'chat gpt-4o-mini').length === 2 && s.some((x) => x.name.startsWith('invoke_agent')) && s.some((x) => x.name === 'POST /api/v1/agents/:id/runs'),
      );
      const services = new Set(spans.map((s) => s.service));
      expect([...services]).toEqual(expect.arrayContaining(['gateway', 'execution']));

      const http = one(spans, (s) => s.name === 'POST /api/v1/agents/:id/runs');
      expect(http).toMatchObject({ service: 'gateway', kind: 2, attributes: { 'http.route': '/api/v1/agents/:id/runs', 'http.response.status_code': 200 } });
      const start = one(spans, (s) => s.name === 'execution.runs.start' && s.kind === 2);
      expect(start.service).toBe('execution');
      const invoke = one(spans, (s) => s.name === 'invoke_agent Counter');
      expect(invoke).toMatchObject({ service: 'execution', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': agentId, 'gen_ai.agent.name': 'Counter' } });
      const chats = spans.filter((s) => s.name === 'chat gpt-4o-mini');
      expect(chats.map((c) => c.attributes)).toEqual([
        expect.objectContaining({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 5 }),
        expect.objectContaining({ 'gen_ai.usage.input_tokens': 40, 'gen_ai.usage.output_tokens': 4 }),
      ]);
      const tool = one(spans, (s) => s.name === 'execute_tool calculator');
      expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'calculator', 'gen_ai.tool.call.id': 'call_1' });

      // Parentage: the model and tool calls are the agent's; the agent's span continues the trace that queued the run.
      for (const child of [...chats, tool]) expect(child.parentSpanId).toBe(invoke.spanId);
      expect(ancestors(spans, invoke)).toContain(http.spanId);
      expect(ancestors(spans, start)).toContain(http.spanId);
      // Prompts and answers stay out unless the operator turns content capture on.
      for (const span of spans) expect(Object.keys(span.attributes).filter((k) => /messages|arguments|result/.test(k))).toEqual([]);
      expect(JSON.stringify(spans)).not.toContain('What is 6 * 7?');
      // Log lines written inside the trace name it, in every process the run went through.
      for (const app of ['gateway', 'execution']) expect(cluster.app(app).output).toContain(`"traceId":"${run.traceId}"`);
    });
  });

  describe('failing', () => {
    it('counts a model call that fails and marks its span as an error', async () => {
      const before = (await serviceMetrics('execution')).samples;
      fake.replyError(400, 'bad request');
      const res = await cluster.api.post(`/api/v1/agents/${agentId}/runs`, { input: 'fail please' }, owner.accessToken);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('failed');
      const after = await eventually(
        async () => (await serviceMetrics('execution')).samples,
        (s) => sumOf(s, 'runs_ended_total', { kind: 'agent', status: 'failed' }) > sumOf(before, 'runs_ended_total', { kind: 'agent', status: 'failed' }),
      );
      expect(sumOf(after, 'gen_ai_calls_total', { outcome: 'error' }) - sumOf(before, 'gen_ai_calls_total', { outcome: 'error' })).toBe(1);
      const spans = await eventually(
        async () => collector.trace(res.body.traceId as string),
        (s) => s.some((x) => x.name === 'chat gpt-4o-mini'),
      );
      expect(one(spans, (s) => s.name === 'chat gpt-4o-mini').attributes['error.type']).toBeTruthy();
    });

    it('answers 404 on an unknown route without a route label of its own', async () => {
      expect((await cluster.api.get(`/api/v1/agents/${agentId}/nothing-here`, owner.accessToken)).status).toBe(404);
      const samples = (await gatewayMetrics()).samples;
      expect(sumOf(samples, 'http_server_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(samples.some((s) => (s.labels.route ?? '').includes('nothing-here'))).toBe(false);
    });
  });
});

function one(spans: ReceivedSpan[], match: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(match);
  if (found.length !== 1) throw new Error(`expected one span, found ${found.length} among: ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
  return found[0];
}

function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: string[] = [];
  let parent = span.parentSpanId;
  while (parent && !chain.includes(parent)) {
    chain.push(parent);
    parent = byId.get(parent)?.parentSpanId;
  }
  return chain;
}
