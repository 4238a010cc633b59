import { randomBytes, randomUUID } from 'node:crypto';
import { AppProcess, Cluster, createTestDatabase, FakeOAuthProvider, FakeOpenAiServer, McpTestServer, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';
import { SseReader } from './support/sse.js';
import { eventually } from './support/waits.js';

type Res = { status: number; headers: Headers; body: any; text: string };
const FINAL = ['completed', 'failed', 'cancelled', 'expired'];

/** The text of the tool messages a model request carried. */
function toolAnswers(record: { body: unknown }): string[] {
  const messages = (record.body as { messages: Array<{ role: string; content?: unknown }> }).messages;
  return messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
}

/**
 * Tools from outside through the gateway, every app its own process over the real NATS: an agent
 * run calling a real MCP server (the SDK-built test server on a real socket), a usage row per
 * call, the execution process killed with SIGKILL during a slow MCP call, approvals approved and
 * denied, SSRF attempts, every bad input, and 404 for another user on every route.
 */
describe('integrations over NATS, every app its own process', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let mcp: McpTestServer;
  let oauth: FakeOAuthProvider;
  /** An MCP server that is a protected resource of the fake provider: only its live access tokens pass. */
  let mcpAuth: McpTestServer;
  /** What the integration processes run with, so a test can start a second replica. */
  let integrationEnv: Record<string, string>;
  let owner: TestUser;
  let stranger: TestUser;

  const post = (path: string, body: unknown, token: string): Promise<Res> => cluster.api.request('POST', `/api/v1${path}`, { body, token });
  const put = (path: string, body: unknown, token: string): Promise<Res> => cluster.api.request('PUT', `/api/v1${path}`, { body, token });
  const patch = (path: string, body: unknown, token: string): Promise<Res> => cluster.api.request('PATCH', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string): Promise<Res> => cluster.api.request('GET', `/api/v1${path}`, { token });
  const del = (path: string, token: string): Promise<Res> => cluster.api.request('DELETE', `/api/v1${path}`, { token });
  const settled = (id: string, states = FINAL) => eventually(() => get(`/runs/${id}`, owner.accessToken), (r) => states.includes(r.body.status as string), 30_000);
  const newServer = async (token = owner.accessToken): Promise<string> => {
    const res = await post('/mcp-servers', { name: 'Test server', transport: 'streamable_http', url: mcp.url }, token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const newAgent = async (tools: unknown[]): Promise<string> => {
    const res = await post('/agents', { name: 'Tooly', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Use the tools.', tools }, owner.accessToken);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const today = () => new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    mcp = await McpTestServer.start();
    oauth = await FakeOAuthProvider.start();
    mcpAuth = await McpTestServer.start({ acceptToken: (token) => oauth.isValidAccessToken(token) });
    const allowlist = `127.0.0.1:${mcp.port},127.0.0.1:${mcpAuth.port}`;
    const databaseUrl = await createTestDatabase('integrations');
    const namespace = uniqueNamespace('integ');
    integrationEnv = {
      ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
      INTEGRATION_HEALTH_INTERVAL_SECONDS: '0',
      INTEGRATION_OAUTH_PROVIDERS: JSON.stringify([oauth.providerConfig('acme')]),
      INTEGRATION_OAUTH_REDIRECT_URL: 'http://gateway.test/api/v1/integrations/oauth/callback',
      INTEGRATION_REFRESH_JITTER_SECONDS: '0',
      INTEGRATION_REFRESH_POLL_SECONDS: '1',
    };
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace,
      readyTimeoutMs: 120_000,
      env: { OUTBOUND_INTERNAL_ALLOWLIST: allowlist },
      perApp: {
        identity: { ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}` },
        integration: integrationEnv,
        execution: {
          OPENAI_BASE_URL: fake.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          EXECUTION_LEASE_MS: '2000',
          EXECUTION_HEARTBEAT_MS: '500',
          EXECUTION_POLL_MS: '300',
          EXECUTION_RETRY_DELAY_MS: '100',
        },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
    integrationEnv = { ...integrationEnv, DATABASE_URL: databaseUrl, NATS_URL: testEnv().natsUrl, BUS_NAMESPACE: namespace, OUTBOUND_INTERNAL_ALLOWLIST: allowlist, LOG_LEVEL: 'info' };
   }, 180_000); // starting seven processes on a busy machine can take a while

  /** Consents at the fake provider and follows the browser back through the gateway's callback (no bearer token). */
  const connect = async (token: string, email: string): Promise<Res> => {
    oauth.consentAs(email);
    const authorize = await post('/integrations/acme/authorize', {}, token);
    expect(authorize.status).toBe(200);
    const consent = await fetch(authorize.body.authorizationUrl as string, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location') as string);
    expect(back.origin + back.pathname).toBe('http://gateway.test/api/v1/integrations/oauth/callback');
    return cluster.api.request('GET', `${back.pathname}${back.search}`, {});
  };

  beforeEach(() => {
    fake.reset();
    mcp.reset();
    mcpAuth.reset();
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
    await mcp?.stop();
    await mcpAuth?.stop();
    await oauth?.stop();
  });

  describe('successful', () => {
    it('runs an agent that calls an MCP tool end to end: a step with its answer, one call at the server, a usage row', async () => {
      const serverId = await newServer();
      const agentId = await newAgent([{ kind: 'mcp', name: 'test', refId: serverId, include: ['echo'] }]);
      fake.replyToolCalls([{ id: 'call_echo_1', name: 'echo', arguments: { text: 'hello from the model' } }]).replyText('The server said hello.');
      const run = await post(`/agents/${agentId}/runs`, { input: 'Say hello through the server.' }, owner.accessToken);
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ status: 'completed', output: { content: 'The server said hello.' } });
      expect((fake.completions[0].body as { tools: Array<{ function: { name: string } }> }).tools.map((t) => t.function.name)).toEqual(['echo']);
      expect(toolAnswers(fake.completions[1])).toEqual(['hello from the model']);
      expect(mcp.callCount('echo')).toBe(1);

      const steps = await get(`/runs/${run.body.id as string}/steps`, owner.accessToken);
      expect(steps.body.items.find((s: { key: string }) => s.key === 'tool:call_echo_1')).toMatchObject({ status: 'completed', type: 'tool', output: { result: 'hello from the model' } });
      const usage = await get(`/integrations/usage?from=${today()}&to=${today()}&groupBy=tool`, owner.accessToken);
      expect(usage.status).toBe(200);
      expect(usage.body.items).toEqual([expect.objectContaining({ key: 'echo', calls: 1, failures: 0 })]);
      const byServer = await get(`/integrations/usage?from=${today()}&to=${today()}&groupBy=server`, owner.accessToken);
      expect(byServer.body.items).toEqual([expect.objectContaining({ key: `mcp:${serverId}`, calls: 1 })]);
    });

    it('kill -9 of the execution process during a slow MCP call: the call is not sent again, the step ends TOOL_OUTCOME_UNKNOWN and the model is told', async () => {
      const serverId = await newServer();
      const agentId = await newAgent([{ kind: 'mcp', name: 'test', refId: serverId, include: ['slow'] }]);
      fake.replyToolCalls([{ id: 'call_slow_1', name: 'slow', arguments: { ms: 4000 } }]).replyText('I could not tell whether it worked.');
      const started = await post(`/agents/${agentId}/runs?background=true`, { input: 'Do the slow thing once.' }, owner.accessToken);
      expect(started.status).toBe(202);
      await eventually(async () => mcp.callCount('slow'), (n) => n === 1, 15_000);

      const execution = cluster.app('execution');
      await execution.kill('SIGKILL');
      execution.start();
      const done = await settled(started.body.id as string);
      expect(done.body).toMatchObject({ status: 'completed', output: { content: 'I could not tell whether it worked.' } });
      expect(done.body.attempt).toBeGreaterThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 4500)); // past the slow call's own end: nothing else arrives
      expect(mcp.callCount('slow')).toBe(1);

      const steps = await get(`/runs/${started.body.id as string}/steps`, owner.accessToken);
      const toolSteps = (steps.body.items as Array<{ key: string; status: string; error: { code: string } | null }>).filter((s) => s.key === 'tool:call_slow_1');
      expect(toolSteps.map((s) => s.status)).toEqual(['abandoned', 'completed']);
      expect(toolSteps[1].error).toMatchObject({ code: 'TOOL_OUTCOME_UNKNOWN' });
      expect(toolAnswers(fake.completions.at(-1) as { body: unknown })[0]).toMatch(/^Error: TOOL_OUTCOME_UNKNOWN/);
    });

    it('parks a call that needs approval, runs it once approved, and tells the model a denial', async () => {
      const agentId = await newAgent([{ kind: 'builtin', name: 'calculator', requireApproval: true }]);
      fake.replyToolCalls([{ id: 'call_calc_ok', name: 'calculator', arguments: { expression: '17 * 23' } }]).replyText('391');
      const first = await post(`/agents/${agentId}/runs`, { input: 'What is 17 * 23?' }, owner.accessToken);
      expect(first.body).toMatchObject({
        status: 'requires_action',
        requiredAction: { type: 'tool_approval', toolCalls: [{ id: 'call_calc_ok', name: 'calculator', arguments: '{"expression":"17 * 23"}' }] },
      });
      const wrong = await post(`/runs/${first.body.id as string}/resume`, { toolOutputs: [{ toolCallId: 'call_calc_ok', output: '1' }] }, owner.accessToken);
      expectProblem(wrong, 409, 'CONFLICT');
      const mismatch = await post(`/runs/${first.body.id as string}/resume`, { approvals: [{ toolCallId: 'call_other', approved: true }] }, owner.accessToken);
      expectBadField(mismatch, 'approvals');
      const approved = await post(`/runs/${first.body.id as string}/resume`, { approvals: [{ toolCallId: 'call_calc_ok', approved: true }] }, owner.accessToken);
      expect(approved.status).toBe(200);
      const done = await settled(first.body.id as string);
      expect(done.body).toMatchObject({ status: 'completed', output: { content: '391' } });
      expect(toolAnswers(fake.completions[1])).toEqual(['391']);

      fake.reset();
      fake.replyToolCalls([{ id: 'call_calc_no', name: 'calculator', arguments: { expression: '2 + 2' } }]).replyText('I was not allowed to calculate.');
      const second = await post(`/agents/${agentId}/runs`, { input: 'What is 2 + 2?' }, owner.accessToken);
      expect(second.body.status).toBe('requires_action');
      const denied = await post(`/runs/${second.body.id as string}/resume`, { approvals: [{ toolCallId: 'call_calc_no', approved: false, reason: 'not today' }] }, owner.accessToken);
      expect(denied.status).toBe(200);
      const ended = await eventually(() => get(`/runs/${second.body.id as string}`, owner.accessToken), (r) => FINAL.includes(r.body.status as string));
      expect(ended.body).toMatchObject({ status: 'completed', output: { content: 'I was not allowed to calculate.' } });
      expect(toolAnswers(fake.completions[1])).toEqual(['The call was denied by a person: not today. The tool did not run.']);
    });

    it('lists tools: the built-ins with schemas, HTTP tools, and what an agent may use', async () => {
      const serverId = await newServer();
      expect((await post(`/mcp-servers/${serverId}/check`, {}, owner.accessToken)).body.server).toMatchObject({ healthStatus: 'healthy', toolCount: 4 });
      const tool = await post(
        '/tools',
        { name: 'get_repo', urlTemplate: 'https://api.github.com/repos/{owner}/{repo}', parameters: { type: 'object', properties: { owner: { type: 'string' }, repo: { type: 'string' } } }, auth: { type: 'header', headerName: 'authorization', headerValue: 'token ghp_secret_123' } },
        owner.accessToken,
      );
      expect(tool.status).toBe(201);
      expect(tool.text).not.toContain('ghp_secret_123');
      const list = await get('/tools', owner.accessToken);
      expect(list.body.builtins.map((b: { name: string }) => b.name)).toEqual(['current_time', 'calculator', 'http_get']);
      const available = await get('/tools/available', owner.accessToken);
      expect(available.status).toBe(200);
      const names = (available.body.items as Array<{ source: string; name: string }>).map((i) => `${i.source}:${i.name}`);
      expect(names).toEqual(expect.arrayContaining(['builtin:calculator', 'registry:get_repo', 'mcp:echo', 'mcp:slow']));
      expect(cluster.logs()).not.toContain('ghp_secret_123');
    });
  });

  describe('OAuth connections', () => {
    it('connects through the browser redirect and the callback, and two replicas refresh an expiring connection exactly once', async () => {
      const providers = await get('/integrations/providers', owner.accessToken);
      expect(providers.body.items).toEqual([{ name: 'acme', title: 'Acme', scopes: ['mail.read', 'calendar'], hasApiTool: true }]);
      const second = AppProcess.forApp('integration', integrationEnv).start();
      try {
        await second.waitForOutput(/integration service ready/, 60_000);
        oauth.expiresIn = 302; // due 300 s before expiry: in about 2 s
        oauth.refreshedExpiresIn = 3600;
        oauth.refreshDelayMs = 800; // both replicas' rounds overlap a refresh in flight
        const before = oauth.refreshCount;
        const connected = await connect(owner.accessToken, 'two@example.com');
        expect(connected.status).toBe(200);
        expect(connected.body).toMatchObject({ provider: 'acme', accountEmail: 'two@example.com', status: 'connected' });
        expect(connected.text).not.toMatch(/"(at|rt)_/);
        const id = connected.body.id as string;
        await eventually(() => get('/connections', owner.accessToken), (r) => (r.body.items as Array<{ id: string; lastRefreshedAt: string | null }>).some((c) => c.id === id && c.lastRefreshedAt !== null), 20_000);
        await new Promise((r) => setTimeout(r, 3000)); // more rounds of both replicas: nothing more is due
        expect(oauth.refreshCount - before).toBe(1);
        expect(oauth.isRevoked('two@example.com')).toBe(false);
        const events = await get(`/integration-events?connectionId=${id}`, owner.accessToken);
        expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['refreshed', 'connected']);
      } finally {
        oauth.expiresIn = 3600;
        oauth.refreshDelayMs = 0;
        await second.stop();
      }
    });

    it('a revoked grant turns the connection needs_reauth and notifies the user; a replayed callback is refused', async () => {
      const user = await registerUser(cluster.api);
      oauth.expiresIn = 302;
      const connected = await connect(user.accessToken, 'gone@example.com');
      oauth.expiresIn = 3600;
      oauth.revokeAccount('gone@example.com');
      const id = connected.body.id as string;
      await eventually(() => get('/connections', user.accessToken), (r) => (r.body.items as Array<{ id: string; status: string }>).some((c) => c.id === id && c.status === 'needs_reauth'), 20_000);
      const notes = await eventually(() => get('/notifications', user.accessToken), (r) => (r.body.items as Array<{ kind: string }>).some((n) => n.kind === 'connection.needs_reauth'), 20_000);
      expect(notes.status).toBe(200);
      const replay = await cluster.api.request('GET', `/api/v1/integrations/oauth/callback?state=${'x'.repeat(43)}&code=abc`, {});
      expectBadField(replay, 'state');
      expectBadField(await cluster.api.request('GET', '/api/v1/integrations/oauth/callback?code=abc', {}), 'state');
    });

    it("answers 404 to another user's connection, and for unknown providers", async () => {
      const connected = await connect(owner.accessToken, 'mine@example.com');
      const id = connected.body.id as string;
      expectProblem(await del(`/connections/${id}`, stranger.accessToken), 404, 'NOT_FOUND');
      expect((await get('/connections', stranger.accessToken)).body.items).toEqual([]);
      expectProblem(await post('/integrations/nowhere/authorize', {}, owner.accessToken), 404, 'NOT_FOUND');
      expectBadField(await post('/integrations/Not-A-Name!/authorize', {}, owner.accessToken), 'provider');
      expectBadField(await post('/integrations/acme/authorize', { agentId: 'x' }, owner.accessToken), 'agentId');
      // An account for one agent: the agent must be the caller's (the agent service is asked).
      const ownAgent = await newAgent([]);
      expect((await post('/integrations/acme/authorize', { agentId: ownAgent }, owner.accessToken)).status).toBe(200);
      const theirAgent = await post('/agents', { name: 'Theirs' }, stranger.accessToken);
      expectProblem(await post('/integrations/acme/authorize', { agentId: theirAgent.body.id }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post('/integrations/acme/authorize', { agentId: randomUUID() }, owner.accessToken), 404, 'NOT_FOUND');
      expectBadField(await del('/connections/nope', owner.accessToken), 'id');
      expectProblem(await post('/integrations/acme/authorize', {}, ''), 401, 'UNAUTHENTICATED');
      expect((await del(`/connections/${id}`, owner.accessToken)).status).toBe(204);
      expect(oauth.isRevoked('mine@example.com')).toBe(true);
    });
  });

  describe('consent links on saving an agent', () => {
    it('answers creating and updating an agent with the consent links its integration tools still need, and none once connected', async () => {
      const user = await registerUser(cluster.api);
      const tools = [{ kind: 'integration', name: 'acme', provider: 'acme' }];
      const created = await post('/agents', { name: 'Mailer' }, user.accessToken);
      expect(created.status).toBe(201);
      expect(created.body.authUrls).toEqual({});
      const agentId = created.body.id as string;
      const updated = await patch(`/agents/${agentId}`, { tools }, user.accessToken);
      expect(updated.status).toBe(200);
      expect(Object.keys(updated.body.authUrls as Record<string, string>)).toEqual(['acme']);
      const link = new URL(updated.body.authUrls.acme as string);
      expect(link.origin + link.pathname).toBe(`${oauth.baseUrl}/authorize`);
      expect(link.searchParams.get('code_challenge_method')).toBe('S256');

      // The link works: consenting through it connects the account for this agent.
      oauth.consentAs('agent-mail@example.com');
      const consent = await fetch(link, { redirect: 'manual' });
      const back = new URL(consent.headers.get('location') as string);
      const connected = await cluster.api.request('GET', `${back.pathname}${back.search}`, {});
      expect(connected.status).toBe(200);
      expect(connected.body).toMatchObject({ provider: 'acme', agentId, accountEmail: 'agent-mail@example.com', status: 'connected' });
      expect((await patch(`/agents/${agentId}`, { name: 'Mailer 2' }, user.accessToken)).body.authUrls).toEqual({});

      // The account is this agent's: another agent with the same tool still needs its own consent, created or updated.
      const other = await post('/agents', { name: 'Other', tools }, user.accessToken);
      expect(Object.keys(other.body.authUrls as Record<string, string>)).toEqual(['acme']);
      expect(Object.keys((await patch(`/agents/${other.body.id as string}`, { icon: 'mail' }, user.accessToken)).body.authUrls as Record<string, string>)).toEqual(['acme']);
      expectProblem(await patch(`/agents/${agentId}`, { tools }, stranger.accessToken), 404, 'NOT_FOUND');
    });
  });

  describe('MCP servers that require OAuth', () => {
    const newOAuthServer = async (token: string, connectionId: string): Promise<string> => {
      const res = await post('/mcp-servers', { name: 'Protected', transport: 'streamable_http', url: mcpAuth.url, connectionId }, token);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ connectionId, oauthProvider: 'acme' });
      return res.body.id as string;
    };

    it('sends the connection\'s token to the server, and when the server answers 401 refreshes the connection once and goes on', async () => {
      const user = await registerUser(cluster.api);
      const connectionId = (await connect(user.accessToken, 'mcp-user@example.com')).body.id as string;
      const serverId = await newOAuthServer(user.accessToken, connectionId);
      expect((await post(`/mcp-servers/${serverId}/check`, {}, user.accessToken)).body.server).toMatchObject({ healthStatus: 'healthy', toolCount: 4, lastError: null });

      const agent = await post('/agents', { name: 'Protected tools', modelProvider: 'openai', modelName: 'gpt-4o-mini', tools: [{ kind: 'mcp', name: 'protected', refId: serverId, include: ['echo'] }] }, user.accessToken);
      expect(agent.status).toBe(201);
      const agentId = agent.body.id as string;
      fake.replyToolCalls([{ id: 'call_auth_1', name: 'echo', arguments: { text: 'with a token' } }]).replyText('Echoed.');
      const run = await post(`/agents/${agentId}/runs`, { input: 'Echo it.' }, user.accessToken);
      expect(run.body).toMatchObject({ status: 'completed', output: { content: 'Echoed.' } });
      expect(toolAnswers(fake.completions[1])).toEqual(['with a token']);
      const first = mcpAuth.calls.map((c) => c.authorization);
      expect(first).toEqual([expect.stringMatching(/^Bearer at_/)]);
      expect(run.text).not.toContain((first[0] as string).slice(7));

      // The provider stops honouring the token before its stated expiry: three checks at once each
      // get a 401, and the connection is refreshed exactly once for all of them.
      const refreshes = oauth.refreshCount;
      const refused = mcpAuth.refusedCount;
      oauth.expireAccessTokens('mcp-user@example.com');
      const checks = await Promise.all([1, 2, 3].map(() => post(`/mcp-servers/${serverId}/check`, {}, user.accessToken)));
      expect(checks.map((c) => c.body.server?.healthStatus)).toEqual(['healthy', 'healthy', 'healthy']);
      expect(mcpAuth.refusedCount).toBeGreaterThan(refused);
      expect(oauth.refreshCount - refreshes).toBe(1);

      fake.reset();
      mcpAuth.reset();
      fake.replyToolCalls([{ id: 'call_auth_2', name: 'echo', arguments: { text: 'with a new token' } }]).replyText('Echoed again.');
      const again = await post(`/agents/${agentId}/runs`, { input: 'Echo it again.' }, user.accessToken);
      expect(again.body).toMatchObject({ status: 'completed', output: { content: 'Echoed again.' } });
      const second = mcpAuth.calls.map((c) => c.authorization as string);
      expect(second).toHaveLength(1);
      expect(second[0]).not.toBe(first[0]);
      expect(oauth.isValidAccessToken(second[0].slice(7))).toBe(true);
      expect(oauth.refreshCount - refreshes).toBe(1);
      const events = await get(`/integration-events?connectionId=${connectionId}`, user.accessToken);
      expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['refreshed', 'connected']);
      expect(cluster.logs()).not.toContain((first[0] as string).slice(7));
    });

    it('a server whose connection is revoked, then gone, reports needs_auth saying what to do; a new connection of the provider brings it back', async () => {
      const user = await registerUser(cluster.api);
      const connectionId = (await connect(user.accessToken, 'mcp-revoked@example.com')).body.id as string;
      const serverId = await newOAuthServer(user.accessToken, connectionId);
      expect((await post(`/mcp-servers/${serverId}/check`, {}, user.accessToken)).body.server.healthStatus).toBe('healthy');

      oauth.revokeAccount('mcp-revoked@example.com');
      const revoked = await post(`/mcp-servers/${serverId}/check`, {}, user.accessToken);
      expect(revoked.status).toBe(200);
      expect(revoked.body.server).toMatchObject({ healthStatus: 'needs_auth', lastError: expect.stringMatching(/acme connection .* was revoked; authorize it again \(POST \/integrations\/acme\/authorize\)/) });
      expect(revoked.body.history[0]).toMatchObject({ status: 'needs_auth' });
      expect((await get('/connections', user.accessToken)).body.items).toEqual([expect.objectContaining({ id: connectionId, status: 'needs_reauth' })]);
      expect((await get(`/mcp-servers/${serverId}`, user.accessToken)).body.healthStatus).toBe('needs_auth');
      const health = await get(`/integration-events?mcpServerId=${serverId}`, user.accessToken);
      expect(health.body.items[0]).toMatchObject({ type: 'health_changed', data: { from: 'healthy', to: 'needs_auth' } });

      // A run is not offered the server's (cached) tools: its warning says what to do, and nothing reaches the server.
      const agent = await post('/agents', { name: 'Revoked tools', tools: [{ kind: 'mcp', name: 'protected', refId: serverId, include: ['echo'] }] }, user.accessToken);
      fake.replyText('I need you to reconnect Acme.');
      const run = await post(`/agents/${agent.body.id as string}/runs`, { input: 'Echo hello.' }, user.accessToken);
      expect(run.body).toMatchObject({ status: 'completed', output: { content: 'I need you to reconnect Acme.' } });
      expect((fake.completions[0].body as { tools?: unknown[] }).tools ?? []).toEqual([]);
      const runEvents = await (await SseReader.open(`${cluster.api.baseUrl}/api/v1/runs/${run.body.id as string}/events`, { token: user.accessToken })).readAll();
      const warning = runEvents.find((e) => e.event === 'run.warning');
      expect(JSON.stringify(warning?.data)).toMatch(/the acme connection this MCP server uses was revoked; authorize it again/);
      const available = await get('/tools/available', user.accessToken);
      expect((available.body.items as Array<{ source: string; ready: boolean; description: string }>).filter((i) => i.source === 'mcp')).toEqual([
        expect.objectContaining({ ready: false, description: expect.stringMatching(/was revoked; authorize it again/) }),
      ]);
      expect(mcpAuth.callCount()).toBe(0);

      expect((await del(`/connections/${connectionId}`, user.accessToken)).status).toBe(204);
      const gone = await get(`/mcp-servers/${serverId}`, user.accessToken);
      expect(gone.body).toMatchObject({ healthStatus: 'needs_auth', lastError: 'this MCP server needs a acme connection; connect one first (POST /integrations/acme/authorize)' });
      const unchecked = await post(`/mcp-servers/${serverId}/check`, {}, user.accessToken);
      expect(unchecked.body.server.healthStatus).toBe('needs_auth');
      expect(mcpAuth.refusedCount).toBeGreaterThan(0);

      const reconnected = await connect(user.accessToken, 'mcp-revoked-again@example.com');
      expect(reconnected.status).toBe(200);
      expect((await get(`/mcp-servers/${serverId}`, user.accessToken)).body.healthStatus).toBe('unknown');
      expect((await post(`/mcp-servers/${serverId}/check`, {}, user.accessToken)).body.server).toMatchObject({ healthStatus: 'healthy', lastError: null });
    });

    it('refuses a connection that is not yours (404), a malformed one, and one on a stdio server (400)', async () => {
      const mine = (await connect(owner.accessToken, 'bind-mine@example.com')).body.id as string;
      const someoneElse = await registerUser(cluster.api);
      const theirs = (await connect(someoneElse.accessToken, 'bind-theirs@example.com')).body.id as string;
      const create = (body: Record<string, unknown>) => post('/mcp-servers', { name: 'x', transport: 'streamable_http', url: mcpAuth.url, ...body }, owner.accessToken);
      const notMine = await create({ connectionId: theirs });
      expectProblem(notMine, 404, 'NOT_FOUND');
      expectProblem(await create({ connectionId: randomUUID() }), 404, 'NOT_FOUND');
      expectBadField(await create({ connectionId: 'nope' }), 'connectionId');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'stdio', command: 'node', connectionId: mine }, owner.accessToken), 'connectionId');
      const serverId = await newOAuthServer(owner.accessToken, mine);
      expectProblem(await patch(`/mcp-servers/${serverId}`, { connectionId: theirs }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await patch(`/mcp-servers/${serverId}`, { connectionId: mine }, stranger.accessToken), 404, 'NOT_FOUND');
      const unbound = await patch(`/mcp-servers/${serverId}`, { connectionId: null }, owner.accessToken);
      expect(unbound.body).toMatchObject({ connectionId: null, oauthProvider: null });
      expect((await post(`/mcp-servers/${serverId}/check`, {}, owner.accessToken)).body.server).toMatchObject({ healthStatus: 'unhealthy' });
    });
  });

  describe('failing', () => {
    it('refuses MCP server URLs and HTTP tool URLs that reach internal addresses (SSRF)', async () => {
      for (const url of ['http://127.0.0.1:1/mcp', 'http://169.254.169.254/latest/meta-data/', 'http://localhost:5432/', 'http://[::1]:8080/mcp', 'http://192.168.1.1/mcp', 'gopher://example.com/']) {
        expectBadField(await post('/mcp-servers', { name: 'x', transport: 'streamable_http', url }, owner.accessToken), 'url');
      }
      for (const urlTemplate of ['http://127.0.0.1:6379/', 'http://169.254.169.254/latest/meta-data/iam', 'http://{host}/x']) {
        expectBadField(await post('/tools', { name: 'x', urlTemplate, parameters: { type: 'object', properties: { host: { type: 'string' } } } }, owner.accessToken), 'urlTemplate');
      }
      const id = await newServer();
      expectBadField(await patch(`/mcp-servers/${id}`, { url: 'http://10.1.2.3/mcp' }, owner.accessToken), 'url');
    });

    it("refuses an MCP server filed under another user's project (400 naming projectId); one's own project is accepted", async () => {
      const someoneElse = await registerUser(cluster.api);
      const theirs = await post('/projects', { name: 'Not yours' }, someoneElse.accessToken);
      expect(theirs.status).toBe(201);
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'streamable_http', url: mcp.url, projectId: theirs.body.id }, owner.accessToken), 'projectId');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'streamable_http', url: mcp.url, projectId: randomUUID() }, owner.accessToken), 'projectId');
      const mine = await post('/projects', { name: 'Mine' }, owner.accessToken);
      const filed = await post('/mcp-servers', { name: 'Filed', transport: 'streamable_http', url: mcp.url, projectId: mine.body.id }, owner.accessToken);
      expect(filed.status).toBe(201);
      expect(filed.body.projectId).toBe(mine.body.id);
      expectBadField(await patch(`/mcp-servers/${filed.body.id as string}`, { projectId: theirs.body.id }, owner.accessToken), 'projectId');
      expect((await get(`/mcp-servers?projectId=${mine.body.id as string}`, owner.accessToken)).body.items.map((s: { id: string }) => s.id)).toEqual([filed.body.id]);
    });

    it('refuses agents with unknown tools (400) or tools that are not the owner\'s (404)', async () => {
      const theirs = await newServer(stranger.accessToken);
      const unknown = await post('/agents', { name: 'x', tools: [{ kind: 'builtin', name: 'rm_rf' }] }, owner.accessToken);
      expectBadField(unknown, 'tools[0]');
      expectProblem(await post('/agents', { name: 'x', tools: [{ kind: 'mcp', name: 'theirs', refId: theirs }] }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post('/agents', { name: 'x', tools: [{ kind: 'registry', name: 'nope', refId: randomUUID() }] }, owner.accessToken), 404, 'NOT_FOUND');
      const agentId = await newAgent([]);
      expectBadField(await patch(`/agents/${agentId}`, { tools: [{ kind: 'builtin', name: 'rm_rf' }] }, owner.accessToken), 'tools[0]');

      // Another user's HTTP tool and MCP server, on an agent (create and update) and in a workflow's tool node: 404.
      const someoneElse = await registerUser(cluster.api);
      const theirTool = await post('/tools', { name: 'their_tool', urlTemplate: 'https://example.com/' }, someoneElse.accessToken);
      expect(theirTool.status).toBe(201);
      const theirToolRef = { kind: 'registry', name: 'their_tool', refId: theirTool.body.id };
      expectProblem(await post('/agents', { name: 'x', tools: [theirToolRef] }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await patch(`/agents/${agentId}`, { tools: [theirToolRef] }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await patch(`/agents/${agentId}`, { tools: [{ kind: 'mcp', name: 'theirs', refId: theirs }] }, owner.accessToken), 404, 'NOT_FOUND');
      expect((await get(`/agents/${agentId}`, owner.accessToken)).body.tools).toEqual([]);
      const withTool = (tool: Record<string, unknown>) => ({
        inputs: [],
        outputs: [{ name: 'answer', type: 'string' }],
        state: [{ name: 'answer', type: 'string' }],
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'call', type: 'tool', config: { tool, arguments: { text: "'hi'" }, output: 'answer' } },
          { id: 'done', type: 'output', config: { values: { answer: 'state.answer' } } },
        ],
        edges: [
          { from: 'start', to: 'call' },
          { from: 'call', to: 'done' },
        ],
      });
      expectProblem(await post('/workflows', { name: 'x', definition: withTool(theirToolRef) }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post('/workflows', { name: 'x', definition: withTool({ kind: 'mcp', name: 'echo', refId: theirs }) }, owner.accessToken), 404, 'NOT_FOUND');
      const own = await post('/workflows', { name: 'Own server', definition: withTool({ kind: 'mcp', name: 'echo', refId: await newServer() }) }, owner.accessToken);
      expect({ status: own.status, body: own.status === 201 ? 'created' : own.body }).toEqual({ status: 201, body: 'created' });
    });

    it('answers every bad input with a 400 naming the field', async () => {
      const token = owner.accessToken;
      expectBadField(await post('/mcp-servers', { transport: 'sse', url: mcp.sseUrl }, token), 'name');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'telnet' }, token), 'transport');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'streamable_http' }, token), 'url');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'stdio', command: '/bin/sh' }, token), 'command');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'sse', url: mcp.sseUrl, headers: ['a'] }, token), 'headers');
      expectBadField(await post('/mcp-servers', { name: 'x', transport: 'sse', url: mcp.sseUrl, extra: 1 }, token), 'extra');
      expectBadField(await get('/mcp-servers/not-a-uuid', token), 'id');
      expectBadField(await put(`/mcp-servers/${randomUUID()}/credentials`, { values: 'x' }, token), 'values');
      expectBadField(await post('/tools', { name: 'x' }, token), 'urlTemplate');
      expectBadField(await post('/tools', { name: 'has space', urlTemplate: 'https://example.com/' }, token), 'name');
      expectBadField(await post('/tools', { name: 'x', urlTemplate: 'https://example.com/', method: 'CONNECT' }, token), 'method');
      expectBadField(await post('/tools', { name: 'x', urlTemplate: 'https://example.com/', parameters: 'nope' }, token), 'parameters');
      expectBadField(await post('/tools', { name: 'x', urlTemplate: 'https://example.com/', auth: { type: 'header' } }, token), 'auth.headerName');
      expectBadField(await get('/integrations/usage?from=yesterday&to=2026-01-01', token), 'from');
      expectBadField(await get(`/integrations/usage?from=${today()}&to=${today()}&groupBy=moon`, token), 'groupBy');
      expectBadField(await get('/integration-events?type=exploded', token), 'type');
      expectBadField(await get('/integration-events?mcpServerId=nope', token), 'mcpServerId');
      const raw = await cluster.api.request('POST', '/api/v1/tools', { token, body: '{not json', headers: { 'content-type': 'application/json' } });
      expectProblem(raw, 400, 'VALIDATION_FAILED');
    });

    it("answers 404 to another user on every route of MCP servers and tools", async () => {
      const serverId = await newServer();
      const tool = await post('/tools', { name: `mine_${randomBytes(3).toString('hex')}`, urlTemplate: 'https://example.com/' }, owner.accessToken);
      const toolId = tool.body.id as string;
      const token = stranger.accessToken;
      for (const res of [
        await get(`/mcp-servers/${serverId}`, token),
        await patch(`/mcp-servers/${serverId}`, { name: 'x' }, token),
        await del(`/mcp-servers/${serverId}`, token),
        await post(`/mcp-servers/${serverId}/check`, {}, token),
        await get(`/mcp-servers/${serverId}/tools`, token),
        await put(`/mcp-servers/${serverId}/credentials`, { values: {} }, token),
        await get(`/tools/${toolId}`, token),
        await patch(`/tools/${toolId}`, { description: 'x' }, token),
        await del(`/tools/${toolId}`, token),
      ]) {
        expectProblem(res, 404, 'NOT_FOUND');
      }
      expect((await get('/mcp-servers', token)).body.items.map((s: { id: string }) => s.id)).not.toContain(serverId);
      expect((await get('/tools', token)).body.items).toEqual([]);
      expect((await get('/integration-events', token)).body.items).toEqual([]);
      expect((await get(`/integrations/usage?from=${today()}&to=${today()}`, token)).body.items).toEqual([]);
      expect((await get(`/mcp-servers/${serverId}`, owner.accessToken)).status).toBe(200);
    });
  });
});
