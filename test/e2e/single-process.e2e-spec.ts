import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, AppProcess, FakeOpenAiServer, listenPort, query, registerUser } from '#testing';

/** `npm start` with nothing configured: embedded PostgreSQL under DATA_DIR, the in-process bus. */
describe('single-process mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ap-standalone-'));
  // As root, the embedded PostgreSQL runs as `postgres` and must be able to enter DATA_DIR.
  chmodSync(dataDir, 0o755);
  const pgPort = listenPort();
  const port = listenPort();
  let platform: AppProcess;
  let model: FakeOpenAiServer;
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  const databaseUrl = `postgres://platform:platform-local@127.0.0.1:${pgPort}/agent_platform`;

  beforeAll(async () => {
    model = await FakeOpenAiServer.start();
    platform = AppProcess.forApp('standalone', {
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'info',
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: 'sk-single-process',
    });
    platform.start();
    await platform.waitForOutput(/Agent platform is up/, 110_000);
  });

  afterAll(async () => {
    await platform.stop();
    await model?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says where the API and the docs are', () => {
    expect(platform.output).toContain(`API at http://localhost:${port}/api/v1, docs at http://localhost:${port}/docs`);
  });

  it('is ready with every service answering over the in-process bus', async () => {
    const ready = await api.get('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks.services).sort()).toEqual(['agent', 'conversation', 'execution', 'identity', 'integration', 'workflow']);
  });

  it('registers, signs in and reads the profile', async () => {
    const user = await registerUser(api);
    const login = await api.post('/api/v1/auth/login', { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    const me = await api.get('/api/v1/me', login.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(user.email);
  });

  it('runs an agent with a tool call, streaming its answer, over the in-process bus', async () => {
    const user = await registerUser(api);
    const agent = await api.post('/api/v1/agents', { name: 'Calc', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Count.', tools: [{ kind: 'builtin', name: 'calculator' }] }, user.accessToken);
    expect(agent.status).toBe(201);
    model.replyToolCalls([{ id: 'call_1', name: 'calculator', arguments: { expression: '17 * 23' } }]).replyText(['17 × 23 ', '= 391.']);
    const run = await api.post(`/api/v1/agents/${agent.body.id as string}/runs`, { input: 'What is 17 * 23?' }, user.accessToken);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: 'completed', output: { content: '17 × 23 = 391.' } });
    expect(model.completions[1].body.messages.at(-1)).toEqual({ role: 'tool', content: '391', tool_call_id: 'call_1' });
    const events = await fetch(`http://127.0.0.1:${port}/api/v1/runs/${run.body.id as string}/events`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await events.text();
    expect(text).toMatch(/^id: 1\nevent: run.queued\n/);
    expect(text).toContain('event: run.completed');
  });

  it('serves one Prometheus registry for the whole process: the gateway\'s requests and the execution service\'s runs on one /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    // The run of the previous test: counted by the execution service, served by the gateway's route.
    expect(text).toMatch(/^runs_ended_total\{kind="agent",status="completed"\} [1-9]/m);
    expect(text).toMatch(/^http_server_request_duration_seconds_count\{method="POST",route="\/api\/v1\/agents\/:id\/runs",status="200"\} [1-9]/m);
    expect(text).toMatch(/^outbox_pending_events\{service="identity"\} \d/m);
    expect(text).toMatch(/^outbox_pending_events\{service="execution"\} \d/m);
    // One registry: each metric is declared once.
    const declared = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(declared).size).toBe(declared.length);
  });

  it('refuses bad input with the same problems as the multi-process mode', async () => {
    const res = await api.request('POST', '/api/v1/auth/register', { raw: '{', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect((await api.get('/api/v1/me', 'not-a-token')).status).toBe(401);
  });

  it('delivers the account-deletion event to every other service through the in-process bus', async () => {
    const user = await registerUser(api);
    expect((await api.delete('/api/v1/me', user.accessToken)).status).toBe(204);
    const [event] = await query<{ id: string }>(databaseUrl, `SELECT id FROM identity.outbox WHERE envelope->'data'->>'userId' = $1`, [user.id]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const counts = await Promise.all(
        ['agent', 'workflow', 'conversation', 'integration', 'execution'].map(
          async (s) => (await query<{ n: string }>(databaseUrl, `SELECT count(*) AS n FROM "${s}".inbox WHERE event_id = $1`, [event.id]))[0].n,
        ),
      );
      if (counts.every((n) => n === '1')) break;
      if (Date.now() > deadline) throw new Error(`event not handled everywhere: ${counts.join(',')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('stores a provider key encrypted with a master key it generated itself', async () => {
    const user = await registerUser(api);
    const res = await api.request('PUT', '/api/v1/settings/provider-keys/openai', { token: user.accessToken, body: { apiKey: 'sk-single-process-test-1234' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ provider: 'openai', isSet: true, last4: '1234' });
    expect(res.text).not.toContain('sk-single-process-test');
    const rows = await query<{ stored: boolean; plain: boolean }>(
      databaseUrl,
      'SELECT true AS stored, position($2::bytea in ciphertext) > 0 AS plain FROM identity.provider_keys WHERE user_id = $1',
      [user.id, Buffer.from('sk-single-process-test')],
    );
    expect(rows).toEqual([{ stored: true, plain: false }]);
  });

  it('keeps its generated token key private to its owner', () => {
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o077).toBe(0);
  });
});

describe('start-up configuration', () => {
  it('refuses to start with a bad variable and names it', async () => {
    const gateway = AppProcess.forApp('gateway', { PORT: 'eighty', NATS_URL: 'nats://127.0.0.1:4222', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'loud' });
    gateway.start();
    await gateway.waitForOutput(/Invalid configuration/);
    while (gateway.running) await new Promise((r) => setTimeout(r, 20));
    expect(gateway.exitCode).toBe(78);
    expect(gateway.output).toMatch(/PORT must be an integer/);
    expect(gateway.output).toMatch(/LOG_LEVEL must be one of/);
  });

  it('single-process mode checks every service\'s settings before starting anything', async () => {
    const platform = AppProcess.forApp('standalone', { AGENT_CACHE_TTL: 'forever', DATA_DIR: tmpdir() });
    platform.start();
    await platform.waitForOutput(/Invalid configuration/);
    while (platform.running) await new Promise((r) => setTimeout(r, 20));
    expect(platform.exitCode).toBe(78);
    expect(platform.output).toContain('AGENT_CACHE_TTL');
    expect(platform.output).not.toMatch(/embedded PostgreSQL/);
  });

  it('a service started alone says which required variables are missing', async () => {
    const identity = AppProcess.forApp('identity', {});
    identity.start();
    await identity.waitForOutput(/Invalid configuration/);
    while (identity.running) await new Promise((r) => setTimeout(r, 20));
    expect(identity.exitCode).toBe(78);
    for (const name of ['DATABASE_URL', 'NATS_URL', 'JWT_SECRET']) expect(identity.output).toContain(name);
  });
});
