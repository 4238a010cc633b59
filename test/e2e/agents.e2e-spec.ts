import { AppProcess, Cluster, createTestDatabase, query, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';

type Res = { status: number; headers: Headers; body: any };

/**
 * Agents through the gateway with every app its own process over the real NATS and PostgreSQL:
 * the CRUD and version flow, the wizard, templates, export / import, the config cache, every bad
 * input of the issue, and another user's agent answering 404 on every route.
 */
describe('agents over NATS, every app its own process', () => {
  let cluster: Cluster;
  let databaseUrl: string;
  let owner: TestUser;
  let stranger: TestUser;

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token: string) => api().request('POST', `/api/v1${path}`, { body, token });
  const patch = (path: string, body: unknown, token: string) => api().request('PATCH', `/api/v1${path}`, { body, token });
  const put = (path: string, body: unknown, token: string) => api().request('PUT', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string) => api().get(`/api/v1${path}`, token);
  const del = (path: string, token: string) => api().delete(`/api/v1${path}`, token);
  const newAgent = (token: string, body: Record<string, unknown> = {}) =>
    post('/agents', { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.', ...body }, token);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('agents');
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('agents'),
      perApp: { agent: { AGENT_MAX_PROMPT_CHARS: '5000', AGENT_CACHE_TTL: '30' }, integration: { GOOGLE_CLIENT_ID: 'agents-e2e-client' } },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('successful', () => {
    it('creates, reads, changes, versions, publishes, deletes and restores an agent', async () => {
      const created = await newAgent(owner.accessToken, { tools: [{ kind: 'builtin', name: 'calculator' }], configuration: { temperature: 0.2, limits: { maxSteps: 5 } } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Helper', status: 'created', currentVersion: 1, authUrls: {} });
      const id: string = created.body.id;

      expect((await get(`/agents/${id}`, owner.accessToken)).body).toMatchObject({ id, systemPrompt: 'Be brief.', configuration: { temperature: 0.2, limits: { maxSteps: 5 } } });

      const cosmetic = await patch(`/agents/${id}`, { icon: 'rocket', color: '#FF0000' }, owner.accessToken);
      expect(cosmetic.status).toBe(200);
      expect(cosmetic.body).toMatchObject({ icon: 'rocket', currentVersion: 1 });

      const run = await patch(`/agents/${id}`, { systemPrompt: 'Be thorough.', modelName: 'gpt-4o' }, owner.accessToken);
      expect(run.body).toMatchObject({ systemPrompt: 'Be thorough.', modelName: 'gpt-4o', currentVersion: 2 });

      const versions = await get(`/agents/${id}/versions`, owner.accessToken);
      expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      expect((await get(`/agents/${id}/versions/1`, owner.accessToken)).body.snapshot).toMatchObject({ systemPrompt: 'Be brief.', modelName: 'gpt-4o-mini' });

      const restored = await post(`/agents/${id}/versions/1/restore`, {}, owner.accessToken);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ systemPrompt: 'Be brief.', modelName: 'gpt-4o-mini', currentVersion: 3 });

      const published = await post(`/agents/${id}/publish`, { version: 2 }, owner.accessToken);
      expect(published.body).toMatchObject({ isPublished: true, publishedVersion: 2 });

      expect((await patch(`/agents/${id}`, { status: 'running' }, owner.accessToken)).body.status).toBe('running');

      expect((await del(`/agents/${id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await get(`/agents/${id}`, owner.accessToken), 404, 'NOT_FOUND');
      expect((await get('/agents?deleted=true', owner.accessToken)).body.items.map((a: { id: string }) => a.id)).toContain(id);
      const back = await post(`/agents/${id}/restore`, {}, owner.accessToken);
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ id, deletedAt: null, currentVersion: 3 });
    });

    it('keeps versions gapless with each snapshot one state under parallel PATCHes', async () => {
      const id: string = (await newAgent(owner.accessToken)).body.id;
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => patch(`/agents/${id}`, { systemPrompt: `prompt ${i}`, configuration: { temperature: i / 10, maxTokens: 100 + i } }, owner.accessToken)),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
      const versions = (await get(`/agents/${id}/versions`, owner.accessToken)).body.items as Array<{ version: number; snapshot: { systemPrompt: string; configuration: unknown } }>;
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      for (const v of versions.slice(1)) {
        const i = Number(v.snapshot.systemPrompt.replace('prompt ', ''));
        expect(v.snapshot.configuration).toEqual({ temperature: i / 10, maxTokens: 100 + i });
      }
      const current = (await get(`/agents/${id}`, owner.accessToken)).body;
      expect(current.currentVersion).toBe(11);
      expect(current.systemPrompt).toBe(versions[10].snapshot.systemPrompt);
    });

    it('lists with filters and pages by cursor', async () => {
      const user = await registerUser(cluster.api);
      for (const name of ['Alpha one', 'Beta', 'Alpha two']) await newAgent(user.accessToken, { name, agentType: name === 'Beta' ? 'automation' : 'assistive' });
      expect((await get('/agents?q=alpha', user.accessToken)).body.items.map((a: { name: string }) => a.name)).toEqual(['Alpha two', 'Alpha one']);
      expect((await get('/agents?type=automation', user.accessToken)).body.items.map((a: { name: string }) => a.name)).toEqual(['Beta']);
      const page1 = await get('/agents?limit=2', user.accessToken);
      expect(page1.body.items).toHaveLength(2);
      const page2 = await get(`/agents?limit=2&cursor=${page1.body.nextCursor as string}`, user.accessToken);
      expect(page2.body).toEqual({ items: [expect.objectContaining({ name: 'Alpha one' })], nextCursor: null });
    });

    it('runs the Q&A wizard, says refinement was not applied, and regenerates the prompt', async () => {
      const made = await post('/agents/from-qa', { who: 'Charlie, a support agent for Acme routers', rules: '- Answer in English\n- Never promise refunds', tricks: 'Search the manual', refine: true }, owner.accessToken);
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name: 'Charlie', qaRules: '- Answer in English\n- Never promise refunds', authUrls: {} });
      expect(made.body.systemPrompt).toContain('## Rules you always follow\n1. Answer in English\n2. Never promise refunds');
      expect(made.body.refinement).toEqual({ requested: true, applied: false, reason: expect.stringMatching(/no model is configured/) });
      const again = await post(`/agents/${made.body.id as string}/regenerate-prompt`, { tricks: 'Open a ticket' }, owner.accessToken);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ qaTricks: 'Open a ticket', currentVersion: 2 });
      expect(again.body.systemPrompt).toContain('## What you can do\n- Open a ticket');
    });

    it('lists the built-in templates and starts an agent from one', async () => {
      const templates = await get('/templates', owner.accessToken);
      expect(templates.status).toBe(200);
      expect(templates.body.items.map((t: { name: string }) => t.name).sort()).toEqual(['data_analyst', 'research_assistant', 'support_bot', 'writing_assistant']);
      const agent = await post('/agents', { template: 'research_assistant' }, owner.accessToken);
      expect(agent.status).toBe(201);
      expect(agent.body).toMatchObject({ name: 'Research assistant', templateName: 'research_assistant', memory: { strategy: 'summary', size: 50 } });
    });

    it('keeps versions of prompt templates', async () => {
      const created = await post('/prompt-templates', { name: 'follow-up', content: 'Hello {{name}}', variables: ['name'] }, owner.accessToken);
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      expect((await put(`/prompt-templates/${id}`, { content: 'Hi {{name}}' }, owner.accessToken)).body).toMatchObject({ id, version: 2, content: 'Hi {{name}}' });
      expect((await get(`/prompt-templates/${id}/versions`, owner.accessToken)).body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      expect((await get('/prompt-templates', owner.accessToken)).body.items).toEqual([expect.objectContaining({ id, version: 2 })]);
      expect((await del(`/prompt-templates/${id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await get(`/prompt-templates/${id}`, owner.accessToken), 404, 'NOT_FOUND');
    });

    it('exports an agent that another user imports with new ids, and imports the legacy shapes', async () => {
      const source = await newAgent(owner.accessToken, { name: 'Portable' });
      const exported = await get(`/agents/${source.body.id as string}/export`, owner.accessToken);
      expect(exported.status).toBe(200);
      expect(exported.body).toMatchObject({ kind: 'agent-platform/agent-definition', formatVersion: 1, agent: { name: 'Portable' } });
      const imported = await post('/agents/import', { definition: exported.body }, stranger.accessToken);
      expect(imported.status).toBe(201);
      expect(imported.body.id).not.toBe(source.body.id);
      expect(imported.body).toMatchObject({ name: 'Portable', systemPrompt: 'Be brief.', currentVersion: 1 });

      const legacy = await post('/agents/import', { definition: { nama_model: 'gpt-4o-mini', system_message: 'You help.', tools: '["google_calendar"]', agent_type: 'assistive' } }, owner.accessToken);
      expect(legacy.status).toBe(201);
      expect(legacy.body).toMatchObject({ modelName: 'gpt-4o-mini', systemPrompt: 'You help.', tools: [{ kind: 'integration', name: 'google_calendar', provider: 'google' }] });
      const qa = await post('/agents/import', { definition: { name: 'Tutor', qa_who: 'a patient tutor', qa_rules: 'never give the answer away', qa_tricks: '' } }, owner.accessToken);
      expect(qa.status).toBe(201);
      expect(qa.body).toMatchObject({ name: 'Tutor', qaWho: 'a patient tutor' });
      expect(qa.body.systemPrompt).toContain('You are Tutor: a patient tutor');
    });

    it('warms one agent, all own agents, and every agent for a superuser', async () => {
      const user = await registerUser(cluster.api);
      const a = await newAgent(user.accessToken);
      await newAgent(user.accessToken);
      expect((await post(`/agents/${a.body.id as string}/warm`, {}, user.accessToken)).body).toEqual({ warmed: 1, ttlSeconds: 30 });
      expect((await post('/agents/warm-all', {}, user.accessToken)).body).toEqual({ warmed: 2, ttlSeconds: 30 });
      const admin = await registerUser(cluster.api);
      await query(databaseUrl, 'UPDATE identity.users SET is_superuser = true WHERE id = $1', [admin.id]);
      const login = await api().post('/api/v1/auth/login', { email: admin.email, password: admin.password });
      const [{ n }] = await query<{ n: string }>(databaseUrl, 'SELECT count(*) AS n FROM agent.agents WHERE deleted_at IS NULL');
      const all = await post('/agents/warm-all', {}, login.body.accessToken as string);
      expect(all.status).toBe(200);
      expect(all.body.warmed).toBeGreaterThanOrEqual(Number(n));
    });

    it('documents every agent route at /docs', async () => {
      const doc = await api().get('/docs/openapi.json');
      const paths = Object.keys(doc.body.paths as Record<string, unknown>);
      expect(paths).toEqual(
        expect.arrayContaining(
          [
            '/agents',
            '/agents/{id}',
            '/agents/{id}/restore',
            '/agents/{id}/versions',
            '/agents/{id}/versions/{version}',
            '/agents/{id}/versions/{version}/restore',
            '/agents/{id}/publish',
            '/agents/{id}/export',
            '/agents/import',
            '/agents/from-qa',
            '/agents/{id}/regenerate-prompt',
            '/agents/{id}/warm',
            '/agents/warm-all',
            '/templates',
            '/prompt-templates',
            '/prompt-templates/{id}',
            '/prompt-templates/{id}/versions',
          ].map((p) => `/api/v1${p}`),
        ),
      );
      const listParameters = (doc.body.paths['/api/v1/agents'].get.parameters as Array<{ name: string; in: string }>).filter((p) => p.in === 'query').map((p) => p.name);
      expect(listParameters.sort()).toEqual(['cursor', 'deleted', 'limit', 'projectId', 'q', 'status', 'type']);
    });

    it("deleting the account removes the user's agents and their versions", async () => {
      const user = await registerUser(cluster.api);
      const agent = await newAgent(user.accessToken);
      expect((await del('/me', user.accessToken)).status).toBe(204);
      const deadline = Date.now() + 20_000;
      while ((await query(databaseUrl, 'SELECT 1 FROM agent.agents WHERE owner_id = $1', [user.id])).length > 0) {
        if (Date.now() > deadline) throw new Error('agents of the deleted user are still there');
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.agent_versions WHERE agent_id = $1', [agent.body.id])).toHaveLength(0);
    });
  });

  describe('failing', () => {
    it("a project of another user -> 400 naming projectId; the caller's own project is accepted", async () => {
      const theirs = await post('/projects', { name: 'Not yours' }, stranger.accessToken);
      expect(theirs.status).toBe(201);
      expectBadField(await newAgent(owner.accessToken, { projectId: theirs.body.id }), 'projectId');
      const mine = await post('/projects', { name: 'Mine' }, owner.accessToken);
      const filed = await newAgent(owner.accessToken, { projectId: mine.body.id });
      expect(filed.status).toBe(201);
      expect(filed.body.projectId).toBe(mine.body.id);
      expectBadField(await api().request('PATCH', `/api/v1/agents/${filed.body.id}`, { token: owner.accessToken, body: { projectId: theirs.body.id } }), 'projectId');
    });

    it('an unknown provider -> 400 naming modelProvider', async () => {
      expectBadField(await newAgent(owner.accessToken, { modelProvider: 'skynet' }), 'modelProvider');
    });

    it('an empty model name -> 400 naming modelName', async () => {
      expectBadField(await newAgent(owner.accessToken, { modelName: '' }), 'modelName');
    });

    it('a prompt over AGENT_MAX_PROMPT_CHARS -> 400 naming systemPrompt', async () => {
      expectBadField(await newAgent(owner.accessToken, { systemPrompt: 'x'.repeat(5001) }), 'systemPrompt');
    });

    it('a temperature out of range -> 400 naming configuration.temperature', async () => {
      expectBadField(await newAgent(owner.accessToken, { configuration: { temperature: -0.1 } }), 'configuration.temperature');
    });

    it('a malformed tool reference -> 400 naming the bad part of the tool', async () => {
      expectBadField(await newAgent(owner.accessToken, { tools: [{ kind: 'integration', name: 'gmail' }] }), 'tools.0.provider');
      expectBadField(await newAgent(owner.accessToken, { tools: [{ kind: 'spell', name: 'fireball' }] }), 'tools.0.kind');
    });

    it('an unknown template -> 400 naming template', async () => {
      expectBadField(await post('/agents', { template: 'time_machine' }, owner.accessToken), 'template');
    });

    it('an import file that is not a definition -> 400 naming definition', async () => {
      expectBadField(await post('/agents/import', { definition: { title: 'my agent' } }, owner.accessToken), 'definition');
      expectBadField(await post('/agents/import', { definition: 'not an object' }, owner.accessToken), 'definition');
    });

    it('a wizard without rules -> 400 naming rules', async () => {
      expectBadField(await post('/agents/from-qa', { who: 'Charlie' }, owner.accessToken), 'rules');
    });

    it('an id that is not a UUID -> 400 naming id', async () => {
      expectBadField(await get('/agents/not-a-uuid', owner.accessToken), 'id');
    });

    it('a bad list query -> 400 naming the parameter', async () => {
      expectBadField(await get('/agents?limit=0', owner.accessToken), 'limit');
      expectBadField(await get('/agents?status=sleeping', owner.accessToken), 'status');
      expectBadField(await get('/agents?cursor=nonsense', owner.accessToken), 'cursor');
    });

    it('a status change that makes no sense -> 409', async () => {
      const id: string = (await newAgent(owner.accessToken)).body.id;
      expectProblem(await patch(`/agents/${id}`, { status: 'error' }, owner.accessToken), 409, 'CONFLICT');
    });

    it('no token -> 401', async () => {
      expectProblem(await api().get('/api/v1/agents'), 401, 'UNAUTHENTICATED');
    });

    it("another user's agent -> 404 on every route", async () => {
      const id: string = (await newAgent(owner.accessToken)).body.id;
      const t = stranger.accessToken;
      const attempts: Array<[string, () => Promise<Res>]> = [
        ['GET /agents/:id', () => get(`/agents/${id}`, t)],
        ['PATCH /agents/:id', () => patch(`/agents/${id}`, { name: 'mine' }, t)],
        ['DELETE /agents/:id', () => del(`/agents/${id}`, t)],
        ['POST /agents/:id/restore', () => post(`/agents/${id}/restore`, {}, t)],
        ['GET /agents/:id/versions', () => get(`/agents/${id}/versions`, t)],
        ['GET /agents/:id/versions/1', () => get(`/agents/${id}/versions/1`, t)],
        ['POST /agents/:id/versions/1/restore', () => post(`/agents/${id}/versions/1/restore`, {}, t)],
        ['POST /agents/:id/publish', () => post(`/agents/${id}/publish`, {}, t)],
        ['GET /agents/:id/export', () => get(`/agents/${id}/export`, t)],
        ['POST /agents/:id/regenerate-prompt', () => post(`/agents/${id}/regenerate-prompt`, { who: 'x', rules: 'y' }, t)],
        ['POST /agents/:id/warm', () => post(`/agents/${id}/warm`, {}, t)],
      ];
      for (const [route, attempt] of attempts) {
        const res = await attempt();
        expect({ route, status: res.status, code: res.body?.code }).toEqual({ route, status: 404, code: 'NOT_FOUND' });
      }
      expect((await get(`/agents/${id}`, owner.accessToken)).body).toMatchObject({ name: 'Helper', deletedAt: null });
      expect((await get('/agents', t)).body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    });

    it("another user's prompt template -> 404 on every route", async () => {
      const id: string = (await post('/prompt-templates', { name: 'private', content: 'x' }, owner.accessToken)).body.id;
      const t = stranger.accessToken;
      for (const res of [await get(`/prompt-templates/${id}`, t), await put(`/prompt-templates/${id}`, { content: 'y' }, t), await get(`/prompt-templates/${id}/versions`, t), await del(`/prompt-templates/${id}`, t)]) {
        expectProblem(res, 404, 'NOT_FOUND');
      }
      expect((await get(`/prompt-templates/${id}`, owner.accessToken)).body).toMatchObject({ content: 'x', version: 1 });
    });
  });
});

describe('agent service start-up configuration', () => {
  it('refuses to start with a bad AGENT_CACHE_TTL and names it', async () => {
    const agent = AppProcess.forApp('agent', { DATABASE_URL: testEnv().databaseUrl, NATS_URL: testEnv().natsUrl, AGENT_CACHE_TTL: 'forever' });
    agent.start();
    await agent.waitForOutput(/Invalid configuration/);
    while (agent.running) await new Promise((r) => setTimeout(r, 20));
    expect(agent.exitCode).toBe(78);
    expect(agent.output).toMatch(/AGENT_CACHE_TTL must be an integer/);
  });
});
