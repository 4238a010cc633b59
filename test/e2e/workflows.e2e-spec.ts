import { randomBytes, randomUUID } from 'node:crypto';
import { signWebhook } from '#crypto';
import { Cluster, createTestDatabase, FakeOpenAiServer, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem, fieldsOf } from './support/problems.js';
import { eventually } from './support/waits.js';

/**
 * Workflows through the gateway with every app its own process over the real NATS and PostgreSQL:
 * definitions, validation, versions and diffs, publishing, export / import; every bad input with
 * its status and code, and another user's workflow answering 404 on every route.
 */
describe('workflows over NATS, every app its own process', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;
  let stranger: TestUser;

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token: string) => api().request('POST', `/api/v1${path}`, { body, token });
  const patch = (path: string, body: unknown, token: string) => api().request('PATCH', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string) => api().get(`/api/v1${path}`, token);
  const del = (path: string, token: string) => api().delete(`/api/v1${path}`, token);

  interface TestNode {
    id: string;
    type: string;
    config?: Record<string, unknown>;
  }
  function definition(prompt = 'Summarise {{ inputs.topic }}') {
    const nodes: TestNode[] = [
      { id: 'start', type: 'start' },
      { id: 'write', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate: prompt, output: 'draft' } },
      { id: 'done', type: 'output', config: { values: { summary: 'state.draft' } } },
    ];
    return {
      inputs: [{ name: 'topic', type: 'string', required: true }],
      outputs: [{ name: 'summary', type: 'string' }],
      state: [{ name: 'draft', type: 'string' }],
      nodes,
      edges: [
        { from: 'start', to: 'write' },
        { from: 'write', to: 'done' },
      ],
    };
  }
  const newWorkflow = (token: string, body: Record<string, unknown> = {}) => post('/workflows', { name: 'Summariser', definition: definition(), ...body }, token);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    fake.setDefaultReply({ kind: 'text', text: 'Owls hoot at night.' });
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('workflows'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('workflows'),
      perApp: {
        workflow: { WORKFLOW_REFERENCE_TIMEOUT_MS: '1000', ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` },
        execution: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test', EXECUTION_MODEL_MAX_RETRIES: '0' },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  describe('successful', () => {
    it('creates, reads, lists, changes, versions, diffs, restores, publishes, exports, imports and deletes a workflow', async () => {
      const agent = await post('/agents', { name: 'Writer', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Write.' }, owner.accessToken);
      const withAgent = definition();
      withAgent.nodes.splice(2, 0, { id: 'review', type: 'agent', config: { agentId: agent.body.id, inputTemplate: 'Review: {{ state.draft }}', output: 'draft' } } as never);
      withAgent.edges = [
        { from: 'start', to: 'write' },
        { from: 'write', to: 'review' },
        { from: 'review', to: 'done' },
      ];

      const validated = await post('/workflows/validate', { definition: withAgent }, owner.accessToken);
      expect(validated.status).toBe(200);
      expect(validated.body).toMatchObject({ valid: true, agentIds: [agent.body.id] });
      expect(validated.body.definition.nodes[2].config.version).toBe(1);

      const created = await newWorkflow(owner.accessToken);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Summariser', currentVersion: 1, publishedVersion: null, agentIds: [] });
      const id: string = created.body.id;
      expect((await get(`/workflows/${id}`, owner.accessToken)).body.definition.nodes.map((n: { id: string }) => n.id)).toEqual(['start', 'write', 'done']);
      expect((await get('/workflows?q=summ', owner.accessToken)).body.items.map((w: { id: string }) => w.id)).toContain(id);

      const changed = await patch(`/workflows/${id}`, { definition: withAgent, description: 'With a review' }, owner.accessToken);
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ currentVersion: 2, agentIds: [agent.body.id], description: 'With a review' });

      expect((await get(`/workflows/${id}/versions`, owner.accessToken)).body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      expect((await get(`/workflows/${id}/versions/1`, owner.accessToken)).body.definition.nodes).toHaveLength(3);
      const diff = await get(`/workflows/${id}/diff?from=1&to=2`, owner.accessToken);
      expect(diff.status).toBe(200);
      expect(diff.body.nodes).toEqual({ added: ['review'], removed: [], changed: [] });
      expect(diff.body.edges.removed).toEqual([{ from: 'write', to: 'done' }]);

      const restored = await post(`/workflows/${id}/versions/1/restore`, {}, owner.accessToken);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ currentVersion: 3, agentIds: [] });

      const published = await post(`/workflows/${id}/publish`, { version: 2 }, owner.accessToken);
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ publishedVersion: 2, currentVersion: 3, publicLink: null });

      const exported = await get(`/workflows/${id}/export?version=2`, owner.accessToken);
      expect(exported.status).toBe(200);
      expect(exported.body).toMatchObject({ kind: 'agent-platform/workflow-definition', formatVersion: 1, sourceVersion: 2, workflow: { name: 'Summariser' } });
      const imported = await post('/workflows/import', { definition: exported.body }, owner.accessToken);
      expect(imported.status).toBe(201);
      expect(imported.body).toMatchObject({ name: 'Summariser', currentVersion: 1, agentIds: [agent.body.id] });

      // Someone else importing it does not own the agent it names: 404, as any other user's agent.
      const theirs = await post('/workflows/import', { definition: exported.body }, stranger.accessToken);
      expectProblem(theirs, 404, 'NOT_FOUND');
      expect(fieldsOf(theirs)).toEqual(['nodes[review].config.agentId']);

      expect((await del(`/workflows/${id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await get(`/workflows/${id}`, owner.accessToken), 404, 'NOT_FOUND');
    });

    it('publishes with a public link: the form needs no account, the link can be listed and revoked', async () => {
      const id: string = (await newWorkflow(owner.accessToken)).body.id;
      const published = await post(`/workflows/${id}/publish`, { publicLink: { runsPerMinute: 1 } }, owner.accessToken);
      expect(published.status).toBe(200);
      const link = published.body.publicLink;
      expect(link).toMatchObject({ workflowId: id, version: 1, runsPerMinute: 1, revokedAt: null, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      expect(link.path).toBe(`/api/v1/public/workflows/${link.token}`);

      const form = await api().get(link.path);
      expect(form.status).toBe(200);
      expect(form.body).toEqual({ name: 'Summariser', description: null, inputs: definition().inputs, outputs: definition().outputs, expiresAt: null });
      const listed = await get(`/workflows/${id}/public-links`, owner.accessToken);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: link.id, tokenPrefix: link.token.slice(0, 8) })]);
      expect(listed.text).not.toContain(link.token);

      // The link allows one run a minute: the first runs to its declared outputs, the second is refused before it starts.
      const first = await api().request('POST', `${link.path}/runs`, { body: { inputs: { topic: 'owls' } } });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ runId: expect.any(String), status: 'completed', outputs: { summary: 'Owls hoot at night.' }, error: null });
      const second = await api().request('POST', `${link.path}/runs`, { body: { inputs: { topic: 'owls' } } });
      expectProblem(second, 429, 'RATE_LIMITED');
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);

      expect((await del(`/workflows/${id}/public-links/${link.id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await api().get(link.path), 404, 'NOT_FOUND');
      expectProblem(await api().request('POST', `${link.path}/runs`, { body: { inputs: { topic: 'owls' } } }), 404, 'NOT_FOUND');
    });

    it('schedules a workflow: create, list with next fire times, pause, resume, change and delete', async () => {
      const id: string = (await newWorkflow(owner.accessToken)).body.id;
      const created = await post('/schedules', { workflowId: id, cron: '0 9 * * 1-5', timeZone: 'Europe/Paris', inputs: { topic: 'news' } }, owner.accessToken);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ workflowId: id, agentId: null, cron: '0 9 * * 1-5', timeZone: 'Europe/Paris', missedPolicy: 'skip', paused: false, inputs: { topic: 'news' } });
      expect(created.body.nextFireTimes).toHaveLength(5);
      const second = await post('/schedules', { workflowId: id, cron: '*/15 * * * *', missedPolicy: 'catch_up' }, owner.accessToken);
      expect((await get(`/schedules?workflowId=${id}`, owner.accessToken)).body.items.map((s: { id: string }) => s.id)).toEqual([second.body.id, created.body.id]);
      const paused = await patch(`/schedules/${created.body.id}`, { paused: true }, owner.accessToken);
      expect(paused.body).toMatchObject({ paused: true, nextFireTimes: [] });
      const resumed = await patch(`/schedules/${created.body.id}`, { paused: false, cron: '30 7 * * *' }, owner.accessToken);
      expect(resumed.body.nextFireTimes).toHaveLength(5);
      expect((await get(`/schedules/${created.body.id}`, owner.accessToken)).body.cron).toBe('30 7 * * *');
      expect((await del(`/schedules/${second.body.id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await get(`/schedules/${second.body.id}`, owner.accessToken), 404, 'NOT_FOUND');
      // A deleted workflow takes its schedules with it.
      await del(`/workflows/${id}`, owner.accessToken);
      expectProblem(await get(`/schedules/${created.body.id}`, owner.accessToken), 404, 'NOT_FOUND');
    });

    it('takes a signed webhook delivery over its exact bytes, and refuses stale, unsigned, badly signed and id-less ones', async () => {
      const id: string = (await newWorkflow(owner.accessToken)).body.id;
      const created = await post(`/workflows/${id}/webhooks`, { name: 'CI' }, owner.accessToken);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ workflowId: id, name: 'CI', path: `/api/v1/hooks/${created.body.id}`, secret: expect.stringMatching(/^whsec_/) });
      const { secret, path } = created.body as { secret: string; path: string };
      const listed = await get(`/workflows/${id}/webhooks`, owner.accessToken);
      expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
      expect(listed.text).not.toContain(secret);

      // Spacing a JSON re-encoding would lose: the signature is over the bytes as sent.
      const body = '{ "topic":   "deploys" }';
      const send = (headers: Record<string, string>, raw = body) => api().request('POST', path, { raw, headers: { 'content-type': 'application/json', ...headers } });
      const signed = (at = Math.floor(Date.now() / 1000), raw = body, key = secret) => ({ 'x-webhook-timestamp': String(at), 'x-webhook-signature': signWebhook(key, at, raw), 'x-webhook-id': randomUUID() });
      const accepted = await send(signed());
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ runId: expect.any(String), status: expect.any(String) });
      // The body is the run's input, and the run ends with the workflow's outputs.
      const run = await eventually(() => get(`/runs/${accepted.body.runId}`, owner.accessToken), (res) => res.body.status === 'completed', 30_000);
      expect(run.body).toMatchObject({ workflowId: id, input: { inputs: { topic: 'deploys' }, trigger: { kind: 'webhook', id: created.body.id } }, output: { summary: 'Owls hoot at night.' } });

      expectProblem(await send(signed(Math.floor(Date.now() / 1000) - 600)), 401, 'UNAUTHENTICATED');
      expectProblem(await send(signed(undefined, body, 'whsec_not-the-secret')), 401, 'UNAUTHENTICATED');
      expectProblem(await send({ ...signed(), 'x-webhook-signature': 'v1=00' }), 401, 'UNAUTHENTICATED');
      expectProblem(await send({}), 401, 'UNAUTHENTICATED');
      const idless = signed();
      expectBadField(await send({ 'x-webhook-timestamp': idless['x-webhook-timestamp'], 'x-webhook-signature': idless['x-webhook-signature'] }), 'x-webhook-id');
      const list = '[1, 2]';
      expectBadField(await send(signed(undefined, list), list), 'body');
      expectProblem(await api().request('POST', path, { raw: 'topic=x', headers: { 'content-type': 'text/plain', ...signed(undefined, 'topic=x') } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await api().request('POST', `/api/v1/hooks/${randomUUID()}`, { raw: body, headers: { 'content-type': 'application/json', ...signed() } }), 404, 'NOT_FOUND');
      expectProblem(await api().request('POST', '/api/v1/hooks/not-a-uuid', { raw: body, headers: { 'content-type': 'application/json', ...signed() } }), 400, 'VALIDATION_FAILED');

      expectProblem(await post(`/workflows/${id}/webhooks`, {}, stranger.accessToken), 404, 'NOT_FOUND');
      expectProblem(await get(`/workflows/${id}/webhooks`, stranger.accessToken), 404, 'NOT_FOUND');
      expectProblem(await del(`/workflows/${id}/webhooks/${created.body.id}`, stranger.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post(`/workflows/${id}/webhooks`, { name: 'x'.repeat(101) }, owner.accessToken), 400, 'VALIDATION_FAILED');
      expect((await del(`/workflows/${id}/webhooks/${created.body.id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await send(signed()), 404, 'NOT_FOUND');
    });

    it('moves a workflow to a project of the owner', async () => {
      const project = await post('/projects', { name: 'Flows' }, owner.accessToken);
      const created = await newWorkflow(owner.accessToken, { projectId: project.body.id });
      expect(created.body.projectId).toBe(project.body.id);
      expect((await get(`/workflows?projectId=${project.body.id}`, owner.accessToken)).body.items.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
      expectBadField(await newWorkflow(stranger.accessToken, { projectId: project.body.id }), 'projectId');
    });
  });

  describe('failing', () => {
    it('answers 404 to another user on every workflow route', async () => {
      const id: string = (await newWorkflow(owner.accessToken)).body.id;
      const t = stranger.accessToken;
      for (const res of [
        await get(`/workflows/${id}`, t),
        await patch(`/workflows/${id}`, { name: 'Mine' }, t),
        await del(`/workflows/${id}`, t),
        await get(`/workflows/${id}/versions`, t),
        await get(`/workflows/${id}/versions/1`, t),
        await post(`/workflows/${id}/versions/1/restore`, {}, t),
        await get(`/workflows/${id}/diff?from=1&to=1`, t),
        await post(`/workflows/${id}/publish`, {}, t),
        await post(`/workflows/${id}/publish`, { publicLink: {} }, t),
        await get(`/workflows/${id}/public-links`, t),
        await del(`/workflows/${id}/public-links/${id}`, t),
        await get(`/workflows/${id}/export`, t),
      ]) {
        expectProblem(res, 404, 'NOT_FOUND');
      }
      expect((await get('/workflows', t)).body.items.map((w: { id: string }) => w.id)).not.toContain(id);
      expect((await get(`/workflows/${id}`, owner.accessToken)).body.name).toBe('Summariser');
    });

    it('answers 401 without a credential', async () => {
      expectProblem(await api().request('GET', '/api/v1/workflows'), 401, 'UNAUTHENTICATED');
      expectProblem(await api().request('POST', '/api/v1/workflows/validate', { body: { definition: definition() } }), 401, 'UNAUTHENTICATED');
    });

    it('refuses every kind of bad definition with 400 naming the node and field', async () => {
      const t = owner.accessToken;
      const bad = (mutate: (d: ReturnType<typeof definition>) => void) => {
        const d = definition();
        mutate(d);
        return post('/workflows/validate', { definition: d }, t);
      };
      expectBadField(await bad((d) => d.nodes.push({ id: 'x', type: 'teleport' } as never) && d.edges.push({ from: 'write', to: 'x' })), 'nodes[x].type');
      expectBadField(await bad((d) => d.edges.push({ from: 'write', to: 'ghost' })), 'edges[2].to');
      expectBadField(await bad((d) => d.nodes.push({ id: 'island', type: 'transform', config: { set: { draft: "'x'" } } } as never)), 'nodes[island]');
      expectBadField(
        await bad((d) => {
          d.nodes.push({ id: 'extra', type: 'output', config: { values: {} } } as never);
        }),
        'nodes[extra]',
      );
      expectBadField(await bad((d) => d.edges.push({ from: 'write', to: 'write' })), 'edges[2].maxIterations');
      expectBadField(await bad((d) => (d.nodes[1].config = { ...d.nodes[1].config, promptTemplate: 'About {{ inputs.subject }}' })), 'nodes[write].config.promptTemplate');
      expectBadField(await bad((d) => (d.nodes[2].config = { values: { summary: 'state.draft +' } })), 'nodes[done].config.values.summary');
      expectBadField(await bad((d) => (d.nodes[1].config = { ...d.nodes[1].config, output: 'nowhere' })), 'nodes[write].config.output');
      const startless = await bad((d) => d.nodes.splice(0, 1));
      expectProblem(startless, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(startless)).toEqual(['nodes', 'edges[0].from']);
      // Malformed by the contract itself.
      const malformed = await post('/workflows/validate', { definition: { nodes: 'all of them' } }, t);
      expectProblem(malformed, 400, 'VALIDATION_FAILED');
      expectProblem(await post('/workflows/validate', { definition: { ...definition(), nodes: [{ id: '1bad', type: 'start' }] } }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await post('/workflows', { name: 'No graph' }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await post('/workflows', { definition: definition() }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await post('/workflows', { name: 'x', definition: definition(), surprise: 1 }, t), 400, 'VALIDATION_FAILED');
    });

    it('refuses huge and deeply nested definitions with 400, never a 500', async () => {
      const t = owner.accessToken;
      const many = definition();
      many.nodes = [{ id: 'start', type: 'start' }, ...Array.from({ length: 201 }, (_, i) => ({ id: `n${i}`, type: 'output', config: { values: {} } }))] as never;
      expectProblem(await post('/workflows/validate', { definition: many }, t), 400, 'VALIDATION_FAILED');
      // Written as text: nesting this deep is past what JSON.stringify itself can walk.
      const depth = 20_000;
      const nested = definition();
      nested.nodes.splice(2, 0, { id: 'ask', type: 'human', config: { promptTemplate: 'x', schema: 'DEEP' } } as never);
      nested.edges = [
        { from: 'start', to: 'write' },
        { from: 'write', to: 'ask' },
        { from: 'ask', to: 'done' },
      ];
      const raw = JSON.stringify({ definition: nested }).replace('"DEEP"', `${'{"x":'.repeat(depth)}{}${'}'.repeat(depth)}`);
      const res = await api().request('POST', '/api/v1/workflows/validate', { raw, token: t, headers: { 'content-type': 'application/json' } });
      expect([400, 413]).toContain(res.status);
      expect(res.text).not.toMatch(/\n\s+at |node_modules/);
    });

    it('answers 404 for another user’s agent, tool or knowledge base, and 400 for an unknown built-in tool', async () => {
      const t = owner.accessToken;
      const theirAgent = await post('/agents', { name: 'Theirs', modelProvider: 'openai', modelName: 'gpt-4o-mini' }, stranger.accessToken);
      const withNode = (node: Record<string, unknown>) => {
        const d = definition();
        d.nodes.splice(2, 0, node as never);
        d.edges = [
          { from: 'start', to: 'write' },
          { from: 'write', to: node.id as string },
          { from: node.id as string, to: 'done' },
        ];
        return d;
      };
      const agentRes = await post('/workflows', { name: 'x', definition: withNode({ id: 'ask', type: 'agent', config: { agentId: theirAgent.body.id, inputTemplate: 'x' } }) }, t);
      expectProblem(agentRes, 404, 'NOT_FOUND');
      expect(fieldsOf(agentRes)).toEqual(['nodes[ask].config.agentId']);
      expectBadField(await post('/workflows/validate', { definition: withNode({ id: 'clock', type: 'tool', config: { tool: { kind: 'builtin', name: 'teleport' }, arguments: {} } }) }, t), 'nodes[clock].config.tool.name');
      expect((await post('/workflows/validate', { definition: withNode({ id: 'clock', type: 'tool', config: { tool: { kind: 'builtin', name: 'current_time' }, arguments: {} } }) }, t)).status).toBe(200);
      // The integration service checks tool references other than built-ins: an MCP server that is not yours is 404 too.
      const notYours = await post('/workflows/validate', { definition: withNode({ id: 'fetch', type: 'tool', config: { tool: { kind: 'mcp', name: 'search', refId: theirAgent.body.id }, arguments: {} } }) }, t);
      expectProblem(notYours, 404, 'NOT_FOUND');
      expect(fieldsOf(notYours)).toEqual(['nodes[fetch].config.tool']);
      // And the agent service checks knowledge bases.
      const kb = await post('/workflows/validate', { definition: withNode({ id: 'look', type: 'knowledge', config: { knowledgeBaseIds: [theirAgent.body.id], queryTemplate: 'x' } }) }, t);
      expectProblem(kb, 404, 'NOT_FOUND');
      expect(fieldsOf(kb)).toEqual(['nodes[look].config.knowledgeBaseIds[0]']);
    });

    it('refuses bad public link settings, tokens and run bodies', async () => {
      const t = owner.accessToken;
      const id: string = (await newWorkflow(t)).body.id;
      expectBadField(await post(`/workflows/${id}/publish`, { publicLink: { expiresAt: '2001-01-01T00:00:00Z' } }, t), 'publicLink.expiresAt');
      expectProblem(await post(`/workflows/${id}/publish`, { publicLink: { expiresAt: 'tomorrow' } }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await post(`/workflows/${id}/publish`, { publicLink: { runsPerMinute: 0 } }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await api().get('/api/v1/public/workflows/short'), 400, 'VALIDATION_FAILED');
      expectProblem(await api().get(`/api/v1/public/workflows/${'A'.repeat(43)}`), 404, 'NOT_FOUND');
      const link = (await post(`/workflows/${id}/publish`, { publicLink: {} }, t)).body.publicLink;
      expectProblem(await api().request('POST', `${link.path}/runs`, { body: { inputs: 'topic' } }), 400, 'VALIDATION_FAILED');
      expectProblem(await api().get(`${link.path}/runs/not-a-uuid`), 400, 'VALIDATION_FAILED');
      expectProblem(await api().get(`${link.path}/runs/${id}`), 404, 'NOT_FOUND');
    });

    it('refuses bad schedules, and answers 404 to another user on every schedule route', async () => {
      const t = owner.accessToken;
      const id: string = (await newWorkflow(t)).body.id;
      expectBadField(await post('/schedules', { workflowId: id, cron: 'daily' }, t), 'cron');
      expectBadField(await post('/schedules', { workflowId: id, cron: '0 9 * * *', timeZone: 'Mars/Olympus' }, t), 'timeZone');
      expectBadField(await post('/schedules', { cron: '0 9 * * *' }, t), 'workflowId');
      expectBadField(await post('/schedules', { workflowId: id }, t), 'cron');
      expectBadField(await post('/schedules', { workflowId: id, cron: '0 9 * * *', missedPolicy: 'all' }, t), 'missedPolicy');
      expectBadField(await post('/schedules', { workflowId: id, cron: '0 9 * * *', startAt: 'soon' }, t), 'startAt');
      const assistive = await post('/agents', { name: 'Chatty', modelProvider: 'openai', modelName: 'gpt-4o-mini' }, t);
      expectBadField(await post('/schedules', { agentId: assistive.body.id, cron: '0 9 * * *', input: 'Hello' }, t), 'agentId');
      const automation = await post('/agents', { name: 'Nightly', agentType: 'automation', modelProvider: 'openai', modelName: 'gpt-4o-mini' }, t);
      const agentSchedule = await post('/schedules', { agentId: automation.body.id, cron: '0 3 * * *', input: 'Tidy up' }, t);
      expect(agentSchedule.status).toBe(201);
      expectProblem(await post('/schedules', { agentId: automation.body.id, cron: '0 3 * * *', input: 'Mine' }, stranger.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post('/schedules', { workflowId: id, cron: '0 3 * * *' }, stranger.accessToken), 404, 'NOT_FOUND');
      const sid: string = agentSchedule.body.id;
      expectProblem(await get(`/schedules/${sid}`, stranger.accessToken), 404, 'NOT_FOUND');
      expectProblem(await patch(`/schedules/${sid}`, { paused: true }, stranger.accessToken), 404, 'NOT_FOUND');
      expectProblem(await del(`/schedules/${sid}`, stranger.accessToken), 404, 'NOT_FOUND');
      expect((await get('/schedules', stranger.accessToken)).body.items).toEqual([]);
      expectProblem(await get('/schedules/not-a-uuid', t), 400, 'VALIDATION_FAILED');
      expectProblem(await api().request('GET', '/api/v1/schedules'), 401, 'UNAUTHENTICATED');
    });

    it('refuses bad ids, versions and diff queries', async () => {
      const t = owner.accessToken;
      const id: string = (await newWorkflow(t)).body.id;
      expectProblem(await get('/workflows/not-a-uuid', t), 400, 'VALIDATION_FAILED');
      expectProblem(await get(`/workflows/${id}/versions/0`, t), 400, 'VALIDATION_FAILED');
      expectProblem(await get(`/workflows/${id}/versions/9`, t), 404, 'NOT_FOUND');
      expectProblem(await get(`/workflows/${id}/diff?from=1`, t), 400, 'VALIDATION_FAILED');
      expectProblem(await get(`/workflows/${id}/diff?from=1&to=5`, t), 404, 'NOT_FOUND');
      expectProblem(await post(`/workflows/${id}/publish`, { version: 4 }, t), 404, 'NOT_FOUND');
      expectProblem(await post(`/workflows/${id}/versions/8/restore`, {}, t), 404, 'NOT_FOUND');
      expectProblem(await patch(`/workflows/${id}`, { name: null }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await post('/workflows/import', { definition: { kind: 'something-else' } }, t), 400, 'VALIDATION_FAILED');
      expectProblem(await post('/workflows/import', { definition: {} }, t), 400, 'VALIDATION_FAILED');
    });
  });
});
