import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  type Actor,
  AppError,
  ConnectionContracts,
  HttpToolContracts,
  McpServerContracts,
  type RpcContract,
  serviceActor,
  ToolCallContracts,
  ToolRefContracts,
  ToolUsageContracts,
  IntegrationEventContracts,
} from '#contracts';
import { loadConfig } from '#config';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, FakeOAuthProvider, McpTestServer, query, testEnv, uniqueNamespace } from '#testing';
import { ConnectionsService } from '../src/connections/connections.service.js';
import { McpServersService } from '../src/mcp-servers/mcp-servers.service.js';
import { integrationApp } from '../src/integration.app.js';

const STDIO_SERVER = fileURLToPath(new URL('../../../dist/libs/testing/src/mcp-test-server-stdio.js', import.meta.url).href.replace('/apps/integration/test/../../../', '/'));
const EXECUTION = serviceActor('execution');

/** The stdio test servers this process runs as its children. */
function stdioProcesses(): number {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'mcp-test-server-stdio.js']).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
const AGENT = serviceActor('agent');

/**
 * The integration service on the real PostgreSQL and NATS, called as the gateway, the agent service
 * and the execution service call it; MCP servers are the SDK-built test server over real sockets
 * (Streamable HTTP, HTTP+SSE) and as a real stdio process.
 */
describe('integration service', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;
  let mcp: McpTestServer;
  let guarded: McpTestServer;
  /** A protected resource of the fake OAuth provider: only its live access tokens pass. */
  let oauthGuarded: McpTestServer;
  let oauth: FakeOAuthProvider;

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: 'ok', fields: [] as string[] }),
      (err: unknown) =>
        err instanceof AppError
          ? { code: err.code as string, fields: ((err.details?.errors ?? []) as Array<{ field: string }>).map((e) => e.field) }
          : { code: `not-an-app-error: ${String(err)}`, fields: [] as string[] },
    );
  const httpServer = (actor: Actor, extra: Record<string, unknown> = {}) =>
    call(McpServerContracts.create, { name: 'Test server', transport: 'streamable_http', url: mcp.url, ...extra }, actor);

  beforeAll(async () => {
    mcp = await McpTestServer.start();
    guarded = await McpTestServer.start({ requiredToken: 'sekret-token-123' });
    oauth = await FakeOAuthProvider.start();
    oauthGuarded = await McpTestServer.start({ acceptToken: (token) => oauth.isValidAccessToken(token) });
    process.env.ENCRYPTION_KEYS = `spec:${randomBytes(32).toString('base64')}`;
    process.env.INTEGRATION_STDIO_COMMANDS = process.execPath;
    process.env.INTEGRATION_STDIO_IDLE_SECONDS = '1';
    process.env.INTEGRATION_HEALTH_INTERVAL_SECONDS = '0';
    process.env.INTEGRATION_OAUTH_PROVIDERS = JSON.stringify([oauth.providerConfig('acme')]);
    process.env.INTEGRATION_OAUTH_REDIRECT_URL = 'http://localhost:3000/api/v1/integrations/oauth/callback';
    process.env.INTEGRATION_REFRESH_JITTER_SECONDS = '0';
    process.env.INTEGRATION_REFRESH_POLL_SECONDS = '3600';
    databaseUrl = await createTestDatabase('integration');
    const config = {
      ...loadConfig({}),
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      busNamespace: uniqueNamespace('integration'),
      outboxRelay: false,
      outbound: { allowInternal: false, internalAllowlist: [`127.0.0.1:${mcp.port}`, `127.0.0.1:${guarded.port}`, `127.0.0.1:${oauthGuarded.port}`, oauth.baseUrl.replace('http://', '')] },
    };
    runtime = await Runtime.create(config, 'integration-spec');
    service = await startBusService(integrationApp, runtime);
  });

  afterAll(async () => {
    for (const name of [
      'ENCRYPTION_KEYS',
      'INTEGRATION_STDIO_COMMANDS',
      'INTEGRATION_STDIO_IDLE_SECONDS',
      'INTEGRATION_HEALTH_INTERVAL_SECONDS',
      'INTEGRATION_OAUTH_PROVIDERS',
      'INTEGRATION_OAUTH_REDIRECT_URL',
      'INTEGRATION_REFRESH_JITTER_SECONDS',
      'INTEGRATION_REFRESH_POLL_SECONDS',
    ])
      delete process.env[name];
    await service?.close();
    await runtime?.close();
    await mcp?.stop();
    await guarded?.stop();
    await oauthGuarded?.stop();
    await oauth?.stop();
  });

  /** Consents at the fake provider as `email` and brings the browser back to the callback: the new connection. */
  const connect = async (actor: Actor, email: string) => consentThrough((await call(ConnectionContracts.authorize, { provider: 'acme' }, actor)).authorizationUrl, email);
  /** Consents through a link (from authorize, or the agent service's authUrls) and brings the browser back. */
  const consentThrough = async (authorizationUrl: string, email: string) => {
    oauth.consentAs(email);
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location') as string);
    return call(ConnectionContracts.callback, { state: back.searchParams.get('state') as string, code: back.searchParams.get('code') as string }, { kind: 'anonymous' });
  };
  const connectionsService = () => service.app.get(ConnectionsService);

  beforeEach(() => {
    mcp.reset();
    guarded.reset();
    oauthGuarded.reset();
  });

  describe('successful', () => {
    it('lists the built-ins with their schemas and keeps an HTTP tool with its header secret sealed, never shown', async () => {
      const owner = newUser();
      const tool = await call(
        HttpToolContracts.create,
        {
          name: 'get_weather',
          description: 'Weather of a city',
          urlTemplate: 'https://api.example.com/weather/{city}',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          auth: { type: 'header', headerName: 'x-api-key', headerValue: 'very-secret-value' },
        },
        owner,
      );
      expect(tool).toMatchObject({ kind: 'http', name: 'get_weather', method: 'GET', idempotent: true, auth: { type: 'header', headerName: 'x-api-key', headerValueSet: true, connectionId: null } });
      expect(JSON.stringify(tool)).not.toContain('very-secret-value');
      const [row] = await query<{ auth_header_sealed: string }>(databaseUrl, `SELECT auth_header_sealed FROM integration.tools WHERE id = $1`, [tool.id]);
      expect(row.auth_header_sealed).toMatch(/^v1\.spec\./);
      expect(row.auth_header_sealed).not.toContain('very-secret-value');

      const list = await call(HttpToolContracts.list, {}, owner);
      expect(list.builtins.map((b) => b.name)).toEqual(['current_time', 'calculator', 'http_get']);
      expect(list.builtins[1].parameters).toMatchObject({ type: 'object', required: ['expression'] });
      expect(list.items.map((t) => t.id)).toEqual([tool.id]);

      const changed = await call(HttpToolContracts.update, { id: tool.id, method: 'POST', description: 'Posts' }, owner);
      expect(changed).toMatchObject({ method: 'POST', description: 'Posts', auth: { headerValueSet: true } });
      await call(HttpToolContracts.delete, { id: tool.id }, owner);
      expect(await failure(call(HttpToolContracts.get, { id: tool.id }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
    });

    it('registers a Streamable HTTP server with a sealed header, checks it, discovers its tools and keeps a status history', async () => {
      const owner = newUser();
      const server = await call(McpServerContracts.create, { name: 'Guarded', transport: 'streamable_http', url: guarded.url, headers: { Authorization: 'Bearer sekret-token-123' } }, owner);
      expect(server).toMatchObject({ healthStatus: 'unknown', headersSet: ['Authorization'], toolCount: 0, isOwner: true });
      expect(JSON.stringify(server)).not.toContain('sekret-token-123');
      const checked = await call(McpServerContracts.check, { id: server.id }, owner);
      expect(checked.server).toMatchObject({ healthStatus: 'healthy', lastError: null, toolCount: 4 });
      expect(checked.history).toHaveLength(1);
      expect(checked.history[0]).toMatchObject({ status: 'healthy', toolCount: 4 });
      const tools = await call(McpServerContracts.tools, { id: server.id }, owner);
      expect(tools.items.map((t) => [t.name, t.idempotent])).toEqual([
        ['echo', true],
        ['slow', false],
        ['fail', false],
        ['add_tool', false],
      ]);
      const events = await call(IntegrationEventContracts.list, { mcpServerId: server.id }, owner);
      expect(events.items).toMatchObject([{ type: 'health_changed', data: { from: 'unknown', to: 'healthy' } }]);
    });

    it('records an unhealthy check with the error, and the change back', async () => {
      const owner = newUser();
      const server = await call(McpServerContracts.create, { name: 'Without token', transport: 'streamable_http', url: guarded.url }, owner);
      const down = await call(McpServerContracts.check, { id: server.id }, owner);
      expect(down.server).toMatchObject({ healthStatus: 'unhealthy' });
      expect(down.server.lastError).toBeTruthy();
      await call(McpServerContracts.update, { id: server.id, headers: { Authorization: 'Bearer sekret-token-123' } }, owner);
      const up = await call(McpServerContracts.check, { id: server.id }, owner);
      expect(up.server.healthStatus).toBe('healthy');
      expect(up.history.map((h) => h.status)).toEqual(['healthy', 'unhealthy']);
    });

    it('gives the execution service the tools of a run and calls them, each call a usage row', async () => {
      const owner = newUser();
      const server = await httpServer(owner);
      const refs = [{ kind: 'mcp' as const, name: 'test', refId: server.id, exclude: ['add_tool'] }];
      const resolved = await call(ToolCallContracts.resolve, { ownerId: owner.userId as string, refs }, EXECUTION);
      expect(resolved.unavailable).toEqual([]);
      expect(resolved.tools.map((t) => [t.name, t.idempotent, t.target.toolName])).toEqual([
        ['echo', true, 'echo'],
        ['slow', false, 'slow'],
        ['fail', false, 'fail'],
      ]);
      const runId = randomUUID();
      const echo = resolved.tools[0];
      const reply = await call(ToolCallContracts.call, { ownerId: owner.userId as string, runId, callId: 'c1', target: echo.target, arguments: { text: 'hello' }, timeoutMs: 5000 }, EXECUTION);
      expect(reply).toEqual({ text: 'hello', isError: false });
      const failed = await call(ToolCallContracts.call, { ownerId: owner.userId as string, runId, callId: 'c2', target: resolved.tools[2].target, arguments: {}, timeoutMs: 5000 }, EXECUTION);
      expect(failed).toEqual({ text: 'it failed on purpose', isError: true });
      const slow = await call(ToolCallContracts.call, { ownerId: owner.userId as string, runId, callId: 'c3', target: resolved.tools[1].target, arguments: { ms: 3000 }, timeoutMs: 300 }, EXECUTION);
      expect(slow).toEqual({ text: 'Error: no answer within 300 ms', isError: true });
      expect(mcp.callCount()).toBe(3);

      const today = new Date().toISOString().slice(0, 10);
      const report = await call(ToolUsageContracts.report, { from: today, to: today, groupBy: 'tool' }, owner);
      expect(report.items.map((r) => [r.key, r.calls, r.failures])).toEqual([
        ['echo', 1, 0],
        ['fail', 1, 1],
        ['slow', 1, 1],
      ]);
      expect(report.total).toMatchObject({ calls: 3, failures: 2, inputBytes: expect.any(Number), outputBytes: expect.any(Number) });
      const rows = await query<{ run_id: string; success: boolean }>(databaseUrl, `SELECT run_id, success FROM integration.tool_usage WHERE owner_id = $1`, [owner.userId]);
      expect(rows.every((r) => r.run_id === runId)).toBe(true);
    });

    it('refreshes its cached tool list when the server says the list changed', async () => {
      const owner = newUser();
      const server = await httpServer(owner);
      await call(McpServerContracts.check, { id: server.id }, owner);
      const [addTool] = (await call(ToolCallContracts.resolve, { ownerId: owner.userId as string, refs: [{ kind: 'mcp', name: 't', refId: server.id, include: ['add_tool'] }] }, EXECUTION)).tools;
      await call(ToolCallContracts.call, { ownerId: owner.userId as string, runId: randomUUID(), callId: 'a', target: addTool.target, arguments: { name: 'weather' }, timeoutMs: 5000 }, EXECUTION);
      let names: string[] = [];
      for (let i = 0; i < 50 && !names.includes('extra_weather'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        names = (await call(McpServerContracts.tools, { id: server.id }, owner)).items.map((t) => t.name);
      }
      expect(names).toContain('extra_weather');
    });

    it('checks servers on a schedule that replicas share: each due server once per round', async () => {
      const owner = newUser();
      const id = await httpServer(owner).then((s) => s.id);
      await query(databaseUrl, `UPDATE integration.mcp_servers SET last_checked_at = now() WHERE id <> $1`, [id]);
      const servers = service.app.get(McpServersService);
      const checked = await Promise.all([servers.checkDue(60_000), servers.checkDue(60_000)]);
      expect(checked.reduce((a, b) => a + b, 0)).toBe(1);
      const history = await query<{ status: string }>(databaseUrl, `SELECT status FROM integration.mcp_server_statuses WHERE server_id = $1`, [id]);
      expect(history).toEqual([{ status: 'healthy' }]);
      expect(await servers.checkDue(60_000)).toBe(0);
    });

    it('speaks the older HTTP+SSE transport too', async () => {
      const owner = newUser();
      const server = await call(McpServerContracts.create, { name: 'SSE', transport: 'sse', url: mcp.sseUrl }, owner);
      expect((await call(McpServerContracts.check, { id: server.id }, owner)).server).toMatchObject({ healthStatus: 'healthy', toolCount: 4 });
    });

    it('runs an allowlisted stdio command without a shell, with its own environment only, one process per server and user', async () => {
      const owner = newUser();
      const server = await call(McpServerContracts.create, { name: 'Stdio', transport: 'stdio', command: process.execPath, args: [STDIO_SERVER], env: { GREETING: 'hi' } }, owner);
      expect(server).toMatchObject({ transport: 'stdio', envSet: ['GREETING'], url: null });
      const checked = await call(McpServerContracts.check, { id: server.id }, owner);
      expect(checked.server).toMatchObject({ healthStatus: 'healthy', toolCount: 4 });
      const [echo] = (await call(ToolCallContracts.resolve, { ownerId: owner.userId as string, refs: [{ kind: 'mcp', name: 's', refId: server.id, include: ['echo'] }] }, EXECUTION)).tools;
      const reply = await call(ToolCallContracts.call, { ownerId: owner.userId as string, runId: randomUUID(), callId: 's1', target: echo.target, arguments: { text: 'over stdio' }, timeoutMs: 5000 }, EXECUTION);
      expect(reply).toEqual({ text: 'over stdio', isError: false });
      expect(stdioProcesses()).toBe(1);
      // INTEGRATION_STDIO_IDLE_SECONDS is 1 here: the idle process is stopped.
      for (let i = 0; i < 50 && stdioProcesses() > 0; i++) await new Promise((r) => setTimeout(r, 200));
      expect(stdioProcesses()).toBe(0);
    });

    it('lets an admin share a server whose credential slot each user fills in, values never shown', async () => {
      const admin: Actor = { ...newUser(), isSuperuser: true };
      const user = newUser();
      const shared = await call(
        McpServerContracts.create,
        { name: 'Shared', transport: 'streamable_http', url: guarded.url, isShared: true, credentialSlots: [{ name: 'Authorization', target: 'header', description: 'Bearer <your token>' }] },
        admin,
      );
      const seen = await call(McpServerContracts.get, { id: shared.id }, user);
      expect(seen).toMatchObject({ isShared: true, isOwner: false, credentialSlots: [{ name: 'Authorization', isSet: false }] });
      const filled = await call(McpServerContracts.setCredentials, { id: shared.id, values: { Authorization: 'Bearer sekret-token-123' } }, user);
      expect(filled.credentialSlots).toEqual([{ name: 'Authorization', target: 'header', description: 'Bearer <your token>', isSet: true }]);
      expect(JSON.stringify(filled)).not.toContain('sekret');
      const [echo] = (await call(ToolCallContracts.resolve, { ownerId: user.userId as string, refs: [{ kind: 'mcp', name: 's', refId: shared.id, include: ['echo'] }] }, EXECUTION)).tools;
      expect(await call(ToolCallContracts.call, { ownerId: user.userId as string, runId: randomUUID(), callId: 'x', target: echo.target, arguments: { text: 'mine' }, timeoutMs: 5000 }, EXECUTION)).toEqual({ text: 'mine', isError: false });
      expect(guarded.calls.at(-1)?.authorization).toBe('Bearer sekret-token-123');
      expect(await failure(call(McpServerContracts.update, { id: shared.id, name: 'Mine now' }, user))).toEqual({ code: 'FORBIDDEN', fields: [] });
    });

    it("lets an admin share a server that requires OAuth: each user sends their own connection's token, and one without is needs_auth for them only", async () => {
      const admin: Actor = { ...newUser(), isSuperuser: true };
      const user = newUser();
      const adminConnection = await connect(admin, 'shared-admin@example.com');
      const shared = await call(McpServerContracts.create, { name: 'Shared OAuth', transport: 'streamable_http', url: oauthGuarded.url, isShared: true, connectionId: adminConnection.id }, admin);
      expect(shared).toMatchObject({ connectionId: adminConnection.id, oauthProvider: 'acme' });
      expect((await call(McpServerContracts.check, { id: shared.id }, admin)).server.healthStatus).toBe('healthy');

      // The user has no acme connection: needs_auth for them, saying what to do; nothing recorded on the shared server.
      const seen = await call(McpServerContracts.get, { id: shared.id }, user);
      expect(seen).toMatchObject({ isOwner: false, connectionId: null, oauthProvider: 'acme', healthStatus: 'needs_auth', lastError: expect.stringMatching(/needs a acme connection; connect one first/) });
      const refused = await call(McpServerContracts.check, { id: shared.id }, user);
      expect(refused.server.healthStatus).toBe('needs_auth');
      expect(refused.history.map((h) => h.status)).toEqual(['healthy']);
      expect((await call(McpServerContracts.get, { id: shared.id }, admin)).healthStatus).toBe('healthy');
      const unavailable = await call(ToolCallContracts.resolve, { ownerId: user.userId as string, refs: [{ kind: 'mcp', name: 's', refId: shared.id, include: ['echo'] }] }, EXECUTION);
      expect(unavailable.tools).toEqual([]);
      expect(unavailable.unavailable[0].reason).toMatch(/needs a acme connection/);

      // Once connected, the user's calls carry the user's token, never the admin's.
      await connect(user, 'shared-user@example.com');
      const [echo] = (await call(ToolCallContracts.resolve, { ownerId: user.userId as string, refs: [{ kind: 'mcp', name: 's', refId: shared.id, include: ['echo'] }] }, EXECUTION)).tools;
      expect(await call(ToolCallContracts.call, { ownerId: user.userId as string, runId: randomUUID(), callId: 'o1', target: echo.target, arguments: { text: 'as me' }, timeoutMs: 5000 }, EXECUTION)).toEqual({ text: 'as me', isError: false });
      expect(await call(ToolCallContracts.call, { ownerId: admin.userId as string, runId: randomUUID(), callId: 'o2', target: echo.target, arguments: { text: 'as admin' }, timeoutMs: 5000 }, EXECUTION)).toEqual({ text: 'as admin', isError: false });
      const [asUser, asAdmin] = oauthGuarded.calls.map((c) => c.authorization as string);
      const { token: userToken } = await connectionsService().bearer(user.userId as string, (await call(ConnectionContracts.list, {}, user)).items[0].id);
      const { token: adminToken } = await connectionsService().bearer(admin.userId as string, adminConnection.id);
      expect([asUser, asAdmin]).toEqual([`Bearer ${userToken}`, `Bearer ${adminToken}`]);
      expect(await failure(call(McpServerContracts.update, { id: shared.id, connectionId: null }, user))).toEqual({ code: 'FORBIDDEN', fields: [] });
      oauth.consentAs('someone@example.com'); // the fake's default, which later specs expect
    });

    it('checks tool references for the agent service: built-in names, owned tools and servers, configured providers', async () => {
      const owner = newUser();
      const other = newUser();
      const server = await httpServer(owner);
      const theirs = await httpServer(other);
      const tool = await call(HttpToolContracts.create, { name: 'lookup', urlTemplate: 'https://api.example.com/lookup' }, owner);
      const { problems } = await call(
        ToolRefContracts.check,
        {
          ownerId: owner.userId as string,
          refs: [
            { kind: 'builtin', name: 'calculator' },
            { kind: 'builtin', name: 'rm_rf' },
            { kind: 'registry', name: 'lookup', refId: tool.id },
            { kind: 'mcp', name: 'mine', refId: server.id },
            { kind: 'mcp', name: 'theirs', refId: theirs.id },
            { kind: 'registry', name: 'missing', refId: randomUUID() },
            { kind: 'integration', name: 'acme', provider: 'acme' },
            { kind: 'integration', name: 'gmail', provider: 'nowhere' },
          ],
        },
        AGENT,
      );
      expect(problems.map((p) => [p.index, p.code])).toEqual([
        [1, 'UNKNOWN_TOOL'],
        [4, 'NOT_FOUND'],
        [5, 'NOT_FOUND'],
        [7, 'UNKNOWN_TOOL'],
      ]);
      await call(McpServerContracts.check, { id: server.id }, owner);
      const names = await call(ToolRefContracts.check, { ownerId: owner.userId as string, refs: [{ kind: 'mcp', name: 'mine', refId: server.id, include: ['echo', 'teleport'] }] }, AGENT);
      expect(names.problems).toEqual([{ index: 0, code: 'UNKNOWN_TOOL', message: 'tools[0]: the MCP server Test server has no tool "teleport"' }]);
    });

    it('lists every tool an agent may use with its reference', async () => {
      const owner = newUser();
      const server = await httpServer(owner);
      await call(McpServerContracts.check, { id: server.id }, owner);
      const tool = await call(HttpToolContracts.create, { name: 'lookup', urlTemplate: 'https://api.example.com/lookup' }, owner);
      const { items } = await call(HttpToolContracts.available, {}, owner);
      expect(items.filter((i) => i.source === 'builtin').map((i) => i.name)).toEqual(['current_time', 'calculator', 'http_get']);
      expect(items.find((i) => i.source === 'registry')).toMatchObject({ name: 'lookup', ref: { kind: 'registry', refId: tool.id } });
      expect(items.filter((i) => i.source === 'mcp' && i.from === 'Test server').map((i) => [i.name, i.ref.include])).toEqual([
        ['echo', ['echo']],
        ['slow', ['slow']],
        ['fail', ['fail']],
        ['add_tool', ['add_tool']],
      ]);
      expect(items.find((i) => i.source === 'integration')).toMatchObject({ name: 'acme_api', ref: { kind: 'integration', provider: 'acme' } });
    });
  });

  describe('OAuth connections', () => {
    it('connects with PKCE S256 and a state bound to the user, keeps the tokens sealed, and the state works once', async () => {
      const owner = newUser();
      const { authorizationUrl } = await call(ConnectionContracts.authorize, { provider: 'acme' }, owner);
      const url = new URL(authorizationUrl);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: oauth.clientId,
        redirect_uri: 'http://localhost:3000/api/v1/integrations/oauth/callback',
        scope: 'mail.read calendar',
        code_challenge_method: 'S256',
      });
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const consent = await fetch(authorizationUrl, { redirect: 'manual' });
      const back = new URL(consent.headers.get('location') as string);
      const state = back.searchParams.get('state') as string;
      const connection = await call(ConnectionContracts.callback, { state, code: back.searchParams.get('code') as string }, { kind: 'anonymous' });
      expect(connection).toMatchObject({ provider: 'acme', agentId: null, accountEmail: 'someone@example.com', status: 'connected', scopes: ['mail.read', 'calendar'] });
      expect(oauth.tokenRequests.at(-1)?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      const [row] = await query<{ credentials_sealed: string }>(databaseUrl, `SELECT credentials_sealed FROM integration.connections WHERE id = $1`, [connection.id]);
      expect(row.credentials_sealed).toMatch(/^v1\.spec\./);
      expect(row.credentials_sealed).not.toMatch(/at_|rt_/);
      expect(JSON.stringify(connection)).not.toMatch(/at_|rt_/);
      expect(await failure(call(ConnectionContracts.callback, { state, code: 'again' }, { kind: 'anonymous' }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['state'] });
      expect(await failure(call(ConnectionContracts.callback, { state: 'made-up', code: 'x' }, { kind: 'anonymous' }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['state'] });
      expect((await call(ConnectionContracts.list, {}, owner)).items.map((c) => c.id)).toEqual([connection.id]);
      expect((await call(IntegrationEventContracts.list, { connectionId: connection.id }, owner)).items.map((e) => e.type)).toEqual(['connected']);
    });

    it('refreshes a connection due once however many replicas try at once, storing the rotated refresh token', async () => {
      const owner = newUser();
      oauth.expiresIn = 60; // inside INTEGRATION_REFRESH_AHEAD_SECONDS (300): due at once
      oauth.refreshedExpiresIn = 3600;
      oauth.refreshDelayMs = 300;
      const connection = await connect(owner, 'refresh@example.com');
      const before = oauth.refreshCount;
      const refreshed = await Promise.all([connectionsService().refreshDue(), connectionsService().refreshDue(), connectionsService().refreshDue()]);
      expect(refreshed.reduce((a, b) => a + b, 0)).toBe(1);
      expect(oauth.refreshCount - before).toBe(1);
      const after = (await call(ConnectionContracts.list, {}, owner)).items[0];
      expect(after.lastRefreshedAt).not.toBeNull();
      expect(new Date(after.expiresAt as string).getTime()).toBeGreaterThan(Date.now() + 3000_000);
      // The rotated refresh token was kept: a forced second refresh is accepted (the old one would revoke the grant).
      await query(databaseUrl, `UPDATE integration.connections SET refresh_due_at = now() WHERE id = $1`, [connection.id]);
      expect(await connectionsService().refreshDue()).toBe(1);
      expect(oauth.refreshCount - before).toBe(2);
      expect(oauth.isRevoked('refresh@example.com')).toBe(false);
      const events = (await call(IntegrationEventContracts.list, { connectionId: connection.id }, owner)).items;
      expect(events.map((e) => [e.type, e.data.rotated])).toEqual([
        ['refreshed', true],
        ['refreshed', true],
        ['connected', undefined],
      ]);
      oauth.expiresIn = 3600;
      oauth.refreshDelayMs = 0;
    });

    it('refreshes once for a token a resource server refused, however many callers report it, and not again for a token already replaced', async () => {
      const owner = newUser();
      oauth.refreshDelayMs = 300;
      const connection = await connect(owner, 'refused@example.com');
      const before = oauth.refreshCount;
      const { token: refused } = await connectionsService().bearer(owner.userId as string, connection.id);
      oauth.expireAccessTokens('refused@example.com');
      const renewed = await Promise.all([1, 2, 3, 4].map(() => connectionsService().bearer(owner.userId as string, connection.id, refused)));
      expect(oauth.refreshCount - before).toBe(1);
      expect(new Set(renewed.map((r) => r.token)).size).toBe(1);
      expect(renewed[0].token).not.toBe(refused);
      expect(oauth.isValidAccessToken(renewed[0].token)).toBe(true);
      // A caller still holding the old token reports it late: the stored token is already another, nothing is refreshed.
      expect((await connectionsService().bearer(owner.userId as string, connection.id, refused)).token).toBe(renewed[0].token);
      expect(oauth.refreshCount - before).toBe(1);
      expect(await failure(connectionsService().bearer(newUser().userId as string, connection.id, refused))).toEqual({ code: 'NOT_FOUND', fields: [] });
      oauth.refreshDelayMs = 0;
    });

    it('marks a revoked grant needs_reauth, records it and notifies the user', async () => {
      const owner = newUser();
      const connection = await connect(owner, 'revoked@example.com');
      oauth.revokeAccount('revoked@example.com');
      await query(databaseUrl, `UPDATE integration.connections SET refresh_due_at = now() WHERE id = $1`, [connection.id]);
      await connectionsService().refreshDue();
      expect((await call(ConnectionContracts.list, {}, owner)).items[0]).toMatchObject({ id: connection.id, status: 'needs_reauth' });
      expect((await call(IntegrationEventContracts.list, { connectionId: connection.id, type: 'revoked' }, owner)).items).toHaveLength(1);
      const notes = await query<{ subject: string; data: { userId: string; kind: string } }>(
        databaseUrl,
        `SELECT subject, envelope->'data' AS data FROM integration.outbox WHERE envelope->'data'->>'userId' = $1`,
        [owner.userId],
      );
      expect(notes).toEqual([{ subject: 'events.integration.notification.requested', data: expect.objectContaining({ userId: owner.userId, kind: 'connection.needs_reauth' }) }]);
    });

    it("calls the provider's API and HTTP tools with the connection's token, and offers consent links for an agent's providers", async () => {
      const owner = newUser();
      const agentId = randomUUID();
      const link = (await call(ConnectionContracts.authUrls, { ownerId: owner.userId as string, agentId, refs: [{ kind: 'integration', name: 'mail', provider: 'acme' }] }, AGENT)).authUrls.acme;
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
      const resolvedBefore = await call(ToolCallContracts.resolve, { ownerId: owner.userId as string, agentId, refs: [{ kind: 'integration', name: 'mail', provider: 'acme' }] }, EXECUTION);
      expect(resolvedBefore.unavailable[0].reason).toMatch(/connect Acme first/);
      // The agent service's link is bound to the agent (POST /integrations/acme/authorize with an agentId asks the agent service, which this spec does not run).
      const connection = await consentThrough(link, 'agent@example.com');
      expect(connection.agentId).toBe(agentId);
      expect((await call(ConnectionContracts.authUrls, { ownerId: owner.userId as string, agentId, refs: [{ kind: 'integration', name: 'mail', provider: 'acme' }] }, AGENT)).authUrls).toEqual({});
      const [api] = (await call(ToolCallContracts.resolve, { ownerId: owner.userId as string, agentId, refs: [{ kind: 'integration', name: 'mail', provider: 'acme' }] }, EXECUTION)).tools;
      expect(api.name).toBe('acme_api');
      const reply = await call(ToolCallContracts.call, { ownerId: owner.userId as string, agentId, runId: randomUUID(), callId: 'm1', target: api.target, arguments: { path: 'mail/inbox', query: { q: 'hi' } }, timeoutMs: 5000 }, EXECUTION);
      expect(reply.isError).toBe(false);
      expect(JSON.parse(reply.text.split('\n').slice(1).join('\n'))).toEqual({ path: '/api/mail/inbox', query: { q: 'hi' }, email: 'agent@example.com' });
      const escape = await call(ToolCallContracts.call, { ownerId: owner.userId as string, agentId, runId: randomUUID(), callId: 'm2', target: api.target, arguments: { path: '../userinfo' }, timeoutMs: 5000 }, EXECUTION);
      expect(escape.text).toMatch(/path must stay below/);

      const tool = await call(HttpToolContracts.create, { name: 'inbox', urlTemplate: `${oauth.baseUrl}/api/inbox`, auth: { type: 'connection', connectionId: connection.id } }, owner);
      const [resolvedTool] = (await call(ToolCallContracts.resolve, { ownerId: owner.userId as string, refs: [{ kind: 'registry', name: 'inbox', refId: tool.id }] }, EXECUTION)).tools;
      const viaTool = await call(ToolCallContracts.call, { ownerId: owner.userId as string, runId: randomUUID(), callId: 'h1', target: resolvedTool.target, arguments: {}, timeoutMs: 5000 }, EXECUTION);
      expect(viaTool.text).toContain('"email":"agent@example.com"');
    });

    it("disconnects (revoking the grant at the provider), and another user's connection is not found", async () => {
      const owner = newUser();
      const stranger = newUser();
      const connection = await connect(owner, 'bye@example.com');
      expect(await failure(call(ConnectionContracts.delete, { id: connection.id }, stranger))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(call(HttpToolContracts.create, { name: 'steal', urlTemplate: 'https://example.com/', auth: { type: 'connection', connectionId: connection.id } }, stranger))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect((await call(ConnectionContracts.list, {}, stranger)).items).toEqual([]);
      await call(ConnectionContracts.delete, { id: connection.id }, owner);
      expect(oauth.isRevoked('bye@example.com')).toBe(true);
      expect((await call(ConnectionContracts.list, {}, owner)).items).toEqual([]);
      expect(await failure(call(ConnectionContracts.authorize, { provider: 'nowhere' }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(call(ConnectionContracts.authUrls, { ownerId: owner.userId as string, agentId: randomUUID(), refs: [] }, owner))).toEqual({ code: 'FORBIDDEN', fields: [] });
    });
  });

  describe('failing', () => {
    it('refuses server URLs and tool URLs that reach internal addresses', async () => {
      const owner = newUser();
      for (const url of ['http://127.0.0.1:9/mcp', 'http://localhost:8080/mcp', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/mcp', 'http://10.0.0.1/mcp', 'file:///etc/passwd', 'http://user:pw@example.com/mcp']) {
        expect(await failure(call(McpServerContracts.create, { name: 'x', transport: 'streamable_http', url }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['url'] });
      }
      for (const urlTemplate of ['http://127.0.0.1:9/x', 'http://169.254.169.254/latest/meta-data/{path}', 'http://{host}/x']) {
        const parameters = { type: 'object', properties: { path: { type: 'string' }, host: { type: 'string' } } };
        expect(await failure(call(HttpToolContracts.create, { name: 'x', urlTemplate, parameters }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['urlTemplate'] });
      }
    });

    it('refuses stdio commands off the allowlist and environment variables that change how programs load', async () => {
      const owner = newUser();
      expect(await failure(call(McpServerContracts.create, { name: 'x', transport: 'stdio', command: '/bin/sh', args: ['-c', 'id'] }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['command'] });
      expect(await failure(call(McpServerContracts.create, { name: 'x', transport: 'stdio', command: process.execPath, env: { LD_PRELOAD: '/tmp/x.so' } }, owner))).toEqual({
        code: 'VALIDATION_FAILED',
        fields: ['env'],
      });
      expect(await failure(call(McpServerContracts.create, { name: 'x', transport: 'stdio' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['command'] });
    });

    it('answers every bad input with the field', async () => {
      const owner = newUser();
      const bad = async (contract: RpcContract<any, unknown>, data: unknown) => (await failure(call(contract, data, owner))).fields;
      expect(await bad(McpServerContracts.create, { transport: 'sse', url: mcp.sseUrl })).toEqual(['name']);
      expect(await bad(McpServerContracts.create, { name: 'x' })).toEqual(['transport']);
      expect(await bad(McpServerContracts.create, { name: 'x', transport: 'carrier-pigeon' })).toEqual(['transport']);
      expect(await bad(McpServerContracts.create, { name: 'x', transport: 'sse' })).toEqual(['url']);
      expect(await bad(McpServerContracts.create, { name: 'x', transport: 'sse', url: mcp.sseUrl, headers: { 'bad header': 'x' } })).toEqual(['headers']);
      expect(await bad(McpServerContracts.create, { name: 'x', transport: 'sse', url: mcp.sseUrl, headers: { A: 5 } })).toEqual(['headers']);
      expect(await bad(McpServerContracts.create, { name: 'x', transport: 'sse', url: mcp.sseUrl, args: 'not a list' })).toEqual(['args']);
      expect(await bad(McpServerContracts.create, { name: 'x', transport: 'sse', url: mcp.sseUrl, surprise: true })).toEqual(['surprise']);
      expect(await bad(McpServerContracts.get, { id: 'not-a-uuid' })).toEqual(['id']);
      expect(await bad(HttpToolContracts.create, { urlTemplate: 'https://api.example.com/' })).toEqual(['name']);
      expect(await bad(HttpToolContracts.create, { name: 'x' })).toEqual(['urlTemplate']);
      expect(await bad(HttpToolContracts.create, { name: 'bad name!', urlTemplate: 'https://api.example.com/' })).toEqual(['name']);
      expect(await bad(HttpToolContracts.create, { name: 'calculator', urlTemplate: 'https://api.example.com/' })).toEqual(['name']);
      expect(await bad(HttpToolContracts.create, { name: 'x', urlTemplate: 'https://api.example.com/{nope}' })).toEqual(['urlTemplate']);
      expect(await bad(HttpToolContracts.create, { name: 'x', urlTemplate: 'https://api.example.com/', method: 'TRACE' })).toEqual(['method']);
      expect(await bad(HttpToolContracts.create, { name: 'x', urlTemplate: 'https://api.example.com/', parameters: { type: 'string' } })).toEqual(['parameters']);
      expect(await bad(HttpToolContracts.create, { name: 'x', urlTemplate: 'https://api.example.com/', auth: { type: 'header', headerName: 'x-key' } })).toEqual(['auth.headerValue']);
      expect(await bad(HttpToolContracts.create, { name: 'x', urlTemplate: 'https://api.example.com/', auth: { type: 'magic' } })).toEqual(['auth.type']);
      expect(await bad(ToolUsageContracts.report, { from: '2026-02-30', to: '2026-03-01' })).toEqual(['from']);
      expect(await bad(ToolUsageContracts.report, { from: '2026-03-02', to: '2026-03-01' })).toEqual(['to']);
      expect(await bad(ToolUsageContracts.report, { from: '2026-03-01', to: '2026-03-02', groupBy: 'color' })).toEqual(['groupBy']);
      await call(HttpToolContracts.create, { name: 'twice', urlTemplate: 'https://api.example.com/' }, owner);
      expect(await failure(call(HttpToolContracts.create, { name: 'twice', urlTemplate: 'https://api.example.com/' }, owner))).toEqual({ code: 'CONFLICT', fields: [] });
      expect(await failure(call(HttpToolContracts.create, { name: 'y', urlTemplate: 'https://api.example.com/', auth: { type: 'connection', connectionId: randomUUID() } }, owner))).toEqual({
        code: 'NOT_FOUND',
        fields: [],
      });
    });

    it("answers 404 for another user's tools and private servers on every route", async () => {
      const owner = newUser();
      const stranger = newUser();
      const server = await httpServer(owner);
      const tool = await call(HttpToolContracts.create, { name: 'mine', urlTemplate: 'https://api.example.com/' }, owner);
      const notFound = { code: 'NOT_FOUND', fields: [] };
      expect(await failure(call(McpServerContracts.get, { id: server.id }, stranger))).toEqual(notFound);
      expect(await failure(call(McpServerContracts.update, { id: server.id, name: 'x' }, stranger))).toEqual(notFound);
      expect(await failure(call(McpServerContracts.delete, { id: server.id }, stranger))).toEqual(notFound);
      expect(await failure(call(McpServerContracts.check, { id: server.id }, stranger))).toEqual(notFound);
      expect(await failure(call(McpServerContracts.tools, { id: server.id }, stranger))).toEqual(notFound);
      expect(await failure(call(McpServerContracts.setCredentials, { id: server.id, values: {} }, stranger))).toEqual(notFound);
      expect(await failure(call(HttpToolContracts.get, { id: tool.id }, stranger))).toEqual(notFound);
      expect(await failure(call(HttpToolContracts.update, { id: tool.id, name: 'x' }, stranger))).toEqual(notFound);
      expect(await failure(call(HttpToolContracts.delete, { id: tool.id }, stranger))).toEqual(notFound);
      expect((await call(McpServerContracts.list, {}, stranger)).items.filter((s) => !s.isShared)).toEqual([]);
      expect((await call(HttpToolContracts.list, {}, stranger)).items).toEqual([]);
      expect((await call(IntegrationEventContracts.list, {}, stranger)).items).toEqual([]);
      const resolved = await call(ToolCallContracts.resolve, { ownerId: stranger.userId as string, refs: [{ kind: 'mcp', name: 'x', refId: server.id }, { kind: 'registry', name: 'mine', refId: tool.id }] }, EXECUTION);
      expect(resolved.tools).toEqual([]);
      expect(resolved.unavailable.map((u) => u.reason)).toEqual(['the MCP server no longer exists', 'the tool no longer exists']);
    });

    it('answers the run-side subjects only to the services that may ask', async () => {
      const owner = newUser();
      expect(await failure(call(ToolCallContracts.resolve, { ownerId: owner.userId as string, refs: [] }, owner))).toEqual({ code: 'FORBIDDEN', fields: [] });
      expect(await failure(call(ToolRefContracts.check, { ownerId: owner.userId as string, refs: [] }, owner))).toEqual({ code: 'FORBIDDEN', fields: [] });
    });
  });
});
