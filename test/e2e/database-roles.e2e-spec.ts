import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { NotificationRequested } from '#contracts';
import { JetStreamPublisher, Namespace, NatsLink } from '#messaging';
import { newId } from '#persistence';
import { BUS_SERVICES, Cluster, createTestDatabase, FakeOpenAiServer, FakeWebhookReceiver, query, registerUser, testEnv, type TestUser, uniqueNamespace } from '#testing';
import { SseReader } from './support/sse.js';

/**
 * Each service logs in as its own role, made by the migrate step: it may use its own schema and no
 * other. On the user-owned tables, row-level security keyed by the acting user hides every other
 * user's rows even from a statement that forgets its owner filter.
 */
describe('per-service database roles and row-level security', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let receiver: FakeWebhookReceiver;
  let databaseUrl: string;
  let namespace: string;
  let alice: TestUser;
  let bob: TestUser;

  const userOf = (url: string) => decodeURIComponent(new URL(url).username);
  const login = (service: (typeof BUS_SERVICES)[number]) => {
    const url = cluster.databaseLogins[service];
    if (!url) throw new Error(`no login for ${service}`);
    return url;
  };

  /** Runs `work` on one connection of `url` in a transaction that is rolled back afterwards. */
  async function inTransaction<T>(url: string, settings: { userId?: string; system?: string }, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      if (settings.userId) await client.query(`SELECT set_config('app.user_id', $1, true)`, [settings.userId]);
      if (settings.system) await client.query(`SELECT set_config('app.system', $1, true)`, [settings.system]);
      return await work(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  }

  const createAgent = async (user: TestUser, name: string): Promise<string> => {
    const res = await cluster.api.post('/api/v1/agents', { name, modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.' }, user.accessToken);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    fake.setDefaultReply({ kind: 'text', text: 'Done.', usage: { promptTokens: 12, completionTokens: 3 } });
    receiver = await FakeWebhookReceiver.start();
    databaseUrl = await createTestDatabase('dbroles');
    namespace = uniqueNamespace('dbroles');
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace,
      env: { ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` },
      perApp: {
        execution: {
          OPENAI_BASE_URL: fake.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          OUTBOUND_INTERNAL_ALLOWLIST: receiver.hostPort,
          EXECUTION_WEBHOOK_POLL_MS: '100',
        },
      },
    });
    alice = await registerUser(cluster.api);
    bob = await registerUser(cluster.api);
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver?.stop();
    await fake?.stop();
  });

  /** What the services logged about the database refusing them: nothing, when every path acts for the right user or names its bypass. */
  const refusals = () => cluster.logs().split('\n').filter((line) => /permission denied|row-level security/i.test(line));

  it('every service is connected as its own role, none of them privileged', async () => {
    const sessions = await query<{ application_name: string; usename: string }>(
      databaseUrl,
      `SELECT DISTINCT application_name, usename FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'agent-platform:%'`,
    );
    for (const service of BUS_SERVICES) {
      const users = sessions.filter((s) => s.application_name === `agent-platform:${service}`).map((s) => s.usename);
      expect({ service, users: [...new Set(users)] }).toEqual({ service, users: [userOf(login(service))] });
    }
    const roles = await query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      databaseUrl,
      `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ANY($1)`,
      [BUS_SERVICES.map((s) => userOf(login(s)))],
    );
    expect(roles).toHaveLength(BUS_SERVICES.length);
    for (const role of roles) expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
  });

  it("the agent service's role cannot read identity.users, nor any other service's schema", async () => {
    await expect(query(login('agent'), 'SELECT id, email FROM identity.users')).rejects.toThrow(/permission denied for schema identity/);
    for (const other of BUS_SERVICES.filter((s) => s !== 'agent')) {
      await expect(query(login('agent'), `SELECT 1 FROM "${other}"."migrations"`)).rejects.toThrow(new RegExp(`permission denied for schema ${other}`));
    }
    // Its own schema it may use, but not change: the migrate step alone runs DDL.
    await expect(query(login('agent'), 'SELECT count(*) FROM agent.migrations')).resolves.toHaveLength(1);
    await expect(query(login('agent'), 'CREATE TABLE agent.planted (id int)')).rejects.toThrow(/permission denied for schema agent/);
    await expect(query(login('agent'), `DELETE FROM agent.migrations`)).rejects.toThrow(/permission denied for table migrations/);
  });

  it('each service still works on its role', async () => {
    const agentId = await createAgent(alice, 'Works');
    expect((await cluster.api.get(`/api/v1/agents/${agentId}`, alice.accessToken)).status).toBe(200);
    expect((await cluster.api.get(`/api/v1/agents/${agentId}`, bob.accessToken)).status).toBe(404);
    const conversation = await cluster.api.post('/api/v1/conversations', { agentId }, alice.accessToken);
    expect(conversation.status).toBe(201);
    expect((await cluster.api.get(`/api/v1/conversations/${conversation.body.id as string}`, alice.accessToken)).status).toBe(200);
    expect((await cluster.api.get(`/api/v1/conversations/${conversation.body.id as string}`, bob.accessToken)).status).toBe(404);
    const base = await cluster.api.post('/api/v1/knowledge-bases', { name: 'Runbooks' }, alice.accessToken);
    expect(base.status).toBe(201);
    expect((await cluster.api.get('/api/v1/knowledge-bases', alice.accessToken)).body.items.map((b: { id: string }) => b.id)).toEqual([base.body.id]);
    expect((await cluster.api.get('/api/v1/me', alice.accessToken)).status).toBe(200);
    const ready = await cluster.api.get('/api/v1/health/ready');
    expect(ready.body.status).toBe('ok');
  });

  it('row-level security is on for the user-owned tables, and a service role without a user sees none of their rows', async () => {
    const secured = await query<{ name: string }>(
      databaseUrl,
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relrowsecurity ORDER BY 1`,
    );
    expect(secured.map((r) => r.name)).toEqual([
      'agent.agent_versions', 'agent.agents', 'agent.chunk_embeddings', 'agent.chunks', 'agent.documents', 'agent.knowledge_bases', 'agent.templates',
      'conversation.attachment_contents', 'conversation.attachments', 'conversation.conversations', 'conversation.messages', 'conversation.summaries',
      'execution.run_events', 'execution.run_steps', 'execution.run_webhook_deliveries', 'execution.runs', 'execution.sessions', 'execution.usage_daily', 'execution.webhook_secrets',
      'identity.api_keys', 'identity.notifications', 'identity.projects', 'identity.provider_keys', 'identity.refresh_tokens', 'identity.user_settings', 'identity.users',
      'integration.connections', 'integration.integration_events', 'integration.mcp_server_credentials', 'integration.mcp_server_statuses', 'integration.mcp_servers', 'integration.oauth_states', 'integration.tool_usage', 'integration.tools',
      'workflow.public_link_runs', 'workflow.public_links', 'workflow.schedule_fires', 'workflow.schedules', 'workflow.webhook_deliveries', 'workflow.webhook_triggers', 'workflow.workflow_versions', 'workflow.workflows',
    ]);
    const agentId = await createAgent(bob, 'Seen by no one');
    expect((await cluster.api.post('/api/v1/conversations', { agentId }, bob.accessToken)).status).toBe(201);
    // Rows every user may read are no one's: the built-in templates, the shared MCP servers (and their statuses).
    const everyones: Record<string, string> = {
      'agent.templates': 'WHERE owner_id IS NOT NULL',
      'integration.mcp_servers': 'WHERE NOT is_shared',
      'integration.mcp_server_statuses': 'WHERE NOT EXISTS (SELECT 1 FROM integration.mcp_servers s WHERE s.id = server_id AND s.is_shared)',
    };
    for (const name of secured.map((r) => r.name)) {
      const service = name.split('.')[0] as (typeof BUS_SERVICES)[number];
      const [{ n }] = await query<{ n: string }>(login(service), `SELECT count(*) AS n FROM ${name} ${everyones[name] ?? ''}`);
      expect({ name, n }).toEqual({ name, n: '0' });
    }
    const [{ n: builtIn }] = await query<{ n: string }>(login('agent'), 'SELECT count(*) AS n FROM agent.templates');
    expect(Number(builtIn)).toBeGreaterThan(0);
    // As bob, the conversation role sees bob's conversation and nothing of alice's.
    const owners = await inTransaction(login('conversation'), { userId: bob.id }, async (c) => (await c.query<{ owner_id: string }>('SELECT DISTINCT owner_id FROM conversation.conversations')).rows);
    expect(owners).toEqual([{ owner_id: bob.id }]);
  });

  it("a statement without its owner filter sees, changes and writes nothing of another user's", async () => {
    const mine = await createAgent(alice, 'Alice agent');
    const theirs = await createAgent(bob, 'Bob agent');
    const agentRole = login('agent');

    const seen = await inTransaction(agentRole, { userId: alice.id }, async (c) => (await c.query<{ id: string; owner_id: string }>('SELECT id, owner_id FROM agent.agents')).rows);
    expect(seen.map((r) => r.id)).toContain(mine);
    expect(seen.map((r) => r.id)).not.toContain(theirs);
    expect(new Set(seen.map((r) => r.owner_id))).toEqual(new Set([alice.id]));

    // Nobody acting: nothing at all.
    expect(await inTransaction(agentRole, {}, async (c) => (await c.query('SELECT id FROM agent.agents')).rowCount)).toBe(0);

    // An unfiltered UPDATE touches only the acting user's rows; a row written for another owner is refused.
    await inTransaction(agentRole, { userId: alice.id }, async (c) => {
      await c.query(`UPDATE agent.agents SET name = 'renamed'`);
      const names = (await c.query<{ id: string; name: string }>(`SELECT id, name FROM agent.agents WHERE id = $1`, [mine])).rows;
      expect(names).toEqual([{ id: mine, name: 'renamed' }]);
      await expect(c.query(`UPDATE agent.agents SET owner_id = $1 WHERE id = $2`, [bob.id, mine])).rejects.toThrow(/row-level security/);
    });
    const [bobsRow] = await query<{ name: string }>(databaseUrl, 'SELECT name FROM agent.agents WHERE id = $1', [theirs]);
    expect(bobsRow.name).toBe('Bob agent');

    // A named system path sees every user's rows.
    const all = await inTransaction(agentRole, { system: 'test: the purge' }, async (c) => (await c.query<{ id: string }>('SELECT id FROM agent.agents')).rows.map((r) => r.id));
    expect(all).toEqual(expect.arrayContaining([mine, theirs]));
  });

  /**
   * An unfiltered SELECT on `table` by `service`'s role: as `user`, only that user's owners; nobody
   * acting, nothing; a named system path, both users. `owner` names a row's owner: its column (or
   * SQL on the row, aliased `t`), or for a table without one its parent (`[parent table, its
   * column]`): a row's owner is then its parent's, as that role sees it, so a row shown without its
   * parent counts as no one's and fails the check.
   */
  async function expectOwnRowsOnly(service: (typeof BUS_SERVICES)[number], table: string, mine: TestUser, theirs: TestUser, owner: string | [string, string] = 'owner_id'): Promise<void> {
    const ownerSql = Array.isArray(owner) ? `(SELECT p.owner_id FROM ${owner[0]} p WHERE p.id = t.${owner[1]})` : owner;
    const owners = async (settings: { userId?: string; system?: string }) =>
      inTransaction(login(service), settings, async (c) => (await c.query<{ owner_id: string | null }>(`SELECT DISTINCT ${ownerSql} AS owner_id FROM ${table} t`)).rows.map((r) => r.owner_id).sort());
    expect({ table, owners: await owners({ userId: mine.id }) }).toEqual({ table, owners: [mine.id] });
    expect({ table, owners: await owners({}) }).toEqual({ table, owners: [] });
    expect({ table, owners: await owners({ system: 'test: every owner' }) }).toEqual({ table, owners: expect.arrayContaining([mine.id, theirs.id]) });
  }

  const addDocument = async (user: TestUser): Promise<string> => {
    const base = await cluster.api.post('/api/v1/knowledge-bases', { name: 'Secured' }, user.accessToken);
    expect(base.status).toBe(201);
    const doc = await cluster.api.post(`/api/v1/knowledge-bases/${base.body.id as string}/documents`, { source: 'text', content: `Notes of ${user.id}: rotate the keys.` }, user.accessToken);
    expect(doc.status).toBe(201);
    return doc.body.id as string;
  };

  it("agent documents and chunks: an unfiltered statement sees only the acting user's, and ingestion still works", async () => {
    const docs = [await addDocument(alice), await addDocument(bob)];
    for (const [user, id] of [[alice, docs[0]], [bob, docs[1]]] as const) {
      const deadline = Date.now() + 60_000;
      let status = '';
      while (Date.now() < deadline) {
        status = (await cluster.api.get(`/api/v1/documents/${id}`, user.accessToken)).body.status as string;
        if (status === 'ready' || status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe('ready');
    }
    expect((await cluster.api.get(`/api/v1/documents/${docs[1]}`, alice.accessToken)).status).toBe(404);
    await expectOwnRowsOnly('agent', 'agent.documents', alice, bob);
    await expectOwnRowsOnly('agent', 'agent.chunks', alice, bob);
    await expectOwnRowsOnly('agent', 'agent.chunk_embeddings', alice, bob, ['agent.knowledge_bases', 'knowledge_base_id']);
    // Search reads the vectors as their owner.
    const [{ knowledge_base_id: baseId }] = await query<{ knowledge_base_id: string }>(databaseUrl, 'SELECT knowledge_base_id FROM agent.documents WHERE id = $1', [docs[0]]);
    const search = await cluster.api.post(`/api/v1/knowledge-bases/${baseId}/search`, { query: 'rotate the keys', mode: 'vector' }, alice.accessToken);
    expect(search.status).toBe(200);
    expect(search.body.items.length).toBeGreaterThan(0);
  }, 150_000);

  it("agent versions: an unfiltered statement sees only those of the acting user's agents, and none is written for another user's agent", async () => {
    const mine = await createAgent(alice, 'Versioned');
    const theirs = await createAgent(bob, 'Versioned too');
    expect((await cluster.api.request('PATCH', `/api/v1/agents/${mine}`, { body: { systemPrompt: 'Be briefer.' }, token: alice.accessToken })).status).toBe(200);
    expect((await cluster.api.get(`/api/v1/agents/${mine}/versions`, alice.accessToken)).body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    await expectOwnRowsOnly('agent', 'agent.agent_versions', alice, bob, ['agent.agents', 'agent_id']);
    await inTransaction(login('agent'), { userId: alice.id }, async (c) => {
      // A version carries its agent's owner: filled with the acting user, it does not match the agent's.
      await expect(c.query(`INSERT INTO agent.agent_versions (id, agent_id, version, snapshot) VALUES (gen_random_uuid(), $1, 99, '{}')`, [theirs])).rejects.toThrow(/agent_versions_parent_owner_fk/);
    });
    await inTransaction(login('agent'), { userId: alice.id }, async (c) => {
      // Naming the agent's owner is refused by the policy.
      await expect(c.query(`INSERT INTO agent.agent_versions (id, agent_id, version, snapshot, owner_id) VALUES (gen_random_uuid(), $1, 99, '{}', $2)`, [theirs, bob.id])).rejects.toThrow(/row-level security/);
    });
  });

  it('templates: built-in ones are read by every user (and with no user) and changed by none; prompt templates only by their owner', async () => {
    for (const user of [alice, bob]) {
      const created = await cluster.api.post('/api/v1/prompt-templates', { name: `follow-up`, content: 'Hello {{name}}', variables: ['name'] }, user.accessToken);
      expect(created.status).toBe(201);
    }
    const owners = (settings: { userId?: string; system?: string }) =>
      inTransaction(login('agent'), settings, async (c) => (await c.query<{ owner_id: string | null }>('SELECT DISTINCT owner_id FROM agent.templates')).rows.map((r) => r.owner_id ?? 'built-in').sort());
    expect(await owners({ userId: alice.id })).toEqual([alice.id, 'built-in'].sort());
    expect(await owners({})).toEqual(['built-in']);
    expect(await owners({ system: 'test: every owner' })).toEqual(expect.arrayContaining([alice.id, bob.id, 'built-in']));
    await inTransaction(login('agent'), { userId: alice.id }, async (c) => {
      expect((await c.query(`UPDATE agent.templates SET name = name || ' (mine now)' WHERE owner_id IS NULL`)).rowCount).toBe(0);
      expect((await c.query(`DELETE FROM agent.templates WHERE owner_id IS NULL OR owner_id <> $1`, [alice.id])).rowCount).toBe(0);
      await expect(c.query(`INSERT INTO agent.templates (id, family_id, owner_id, kind, name, version, body) VALUES ($1, $1, NULL, 'agent', 'Planted', 1, '{}')`, [randomUUID()])).rejects.toThrow(/row-level security/);
    });
    const listed = await cluster.api.get('/api/v1/templates', bob.accessToken);
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
  });

  it("conversation attachments: an unfiltered statement sees only the acting user's, and the owner alone downloads", async () => {
    const ids: string[] = [];
    for (const user of [alice, bob]) {
      const conversation = await cluster.api.post('/api/v1/conversations', { agentId: await createAgent(user, 'With files') }, user.accessToken);
      expect(conversation.status).toBe(201);
      const up = await cluster.api.post(`/api/v1/conversations/${conversation.body.id as string}/attachments`, { filename: 'notes.txt', contentType: 'text/plain', contentBase64: Buffer.from(`notes of ${user.id}`).toString('base64') }, user.accessToken);
      expect(up.status).toBe(201);
      ids.push(up.body.id as string);
    }
    expect((await cluster.api.get(`/api/v1/attachments/${ids[0]}`, alice.accessToken)).status).toBe(200);
    expect((await cluster.api.get(`/api/v1/attachments/${ids[1]}`, alice.accessToken)).status).toBe(404);
    await expectOwnRowsOnly('conversation', 'conversation.attachments', alice, bob);
    await expectOwnRowsOnly('conversation', 'conversation.attachment_contents', alice, bob, ['conversation.attachments', 'attachment_id']);
  });

  it("conversation summaries: an unfiltered statement sees only those of the acting user's conversations", async () => {
    for (const user of [alice, bob]) {
      const conversation = await cluster.api.post('/api/v1/conversations', { agentId: await createAgent(user, 'Summarised') }, user.accessToken);
      expect(conversation.status).toBe(201);
      const conversationId = conversation.body.id as string;
      const messageId = randomUUID();
      await query(databaseUrl, `INSERT INTO conversation.messages (id, conversation_id, owner_id, role, content) VALUES ($1, $2, $3, 'user', 'hello')`, [messageId, conversationId, user.id]);
      await query(databaseUrl, `INSERT INTO conversation.summaries (id, conversation_id, through_message_id, content) VALUES ($1, $2, $3, 'they said hello')`, [randomUUID(), conversationId, messageId]);
    }
    await expectOwnRowsOnly('conversation', 'conversation.summaries', alice, bob, ['conversation.conversations', 'conversation_id']);
  });

  it("workflow schedules, versions, fires, public link runs and webhook deliveries: an unfiltered statement sees only the acting user's", async () => {
    const definition = {
      inputs: [{ name: 'topic', type: 'string', required: true }],
      outputs: [{ name: 'label', type: 'string' }],
      state: [{ name: 'label', type: 'string' }],
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'label', type: 'transform', config: { set: { label: "'about ' + upper(inputs.topic)" } } },
        { id: 'out', type: 'output', config: { values: { label: 'state.label' } } },
      ],
      edges: [
        { from: 'start', to: 'label' },
        { from: 'label', to: 'out' },
      ],
    };
    for (const user of [alice, bob]) {
      const workflow = await cluster.api.post('/api/v1/workflows', { name: 'Nightly', definition }, user.accessToken);
      expect({ status: workflow.status, body: workflow.status === 201 ? 'created' : workflow.body }).toEqual({ status: 201, body: 'created' });
      const schedule = await cluster.api.post('/api/v1/schedules', { workflowId: workflow.body.id as string, cron: '0 3 * * *', inputs: { topic: 'nightly' } }, user.accessToken);
      expect({ status: schedule.status, body: schedule.status === 201 ? 'created' : schedule.body }).toEqual({ status: 201, body: 'created' });
      // A tick that already failed (the ticker leaves it alone), and a delivery id a trigger accepted.
      await query(databaseUrl, `INSERT INTO workflow.schedule_fires (id, schedule_id, fire_at, status) VALUES ($1, $2, now(), 'failed')`, [randomUUID(), schedule.body.id]);
      const triggerId = randomUUID();
      await query(databaseUrl, `INSERT INTO workflow.webhook_triggers (id, workflow_id, owner_id, secret_key_id, secret_ciphertext) VALUES ($1, $2, $3, 'none', '\\x00')`, [triggerId, workflow.body.id, user.id]);
      await query(databaseUrl, `INSERT INTO workflow.webhook_deliveries (id, trigger_id, delivery_id) VALUES ($1, $2, 'delivery-1')`, [randomUUID(), triggerId]);
      // A public link's caller is no user: the link's run is recorded, and read back, as its owner.
      const link = (await cluster.api.post(`/api/v1/workflows/${workflow.body.id as string}/publish`, { publicLink: {} }, user.accessToken)).body.publicLink as { path: string };
      const run = await cluster.api.request('POST', `${link.path}/runs`, { body: { inputs: { topic: 'owls' } } });
      expect({ status: run.status, outputs: run.body.outputs }).toEqual({ status: 201, outputs: { label: 'about OWLS' } });
      expect((await cluster.api.get(`${link.path}/runs/${run.body.runId as string}`)).body).toEqual(run.body);
    }
    await expectOwnRowsOnly('workflow', 'workflow.schedules', alice, bob);
    await expectOwnRowsOnly('workflow', 'workflow.workflow_versions', alice, bob, ['workflow.workflows', 'workflow_id']);
    await expectOwnRowsOnly('workflow', 'workflow.schedule_fires', alice, bob, ['workflow.schedules', 'schedule_id']);
    await expectOwnRowsOnly('workflow', 'workflow.webhook_deliveries', alice, bob, ['workflow.webhook_triggers', 'trigger_id']);
    await expectOwnRowsOnly('workflow', 'workflow.public_link_runs', alice, bob, ['workflow.public_links', 'link_id']);
  });

  it("integration HTTP tools: an unfiltered statement sees only the acting user's", async () => {
    for (const user of [alice, bob]) {
      const tool = await cluster.api.post('/api/v1/tools', { name: 'get_repo', urlTemplate: 'https://api.github.com/repos/{owner}/{repo}', parameters: { type: 'object', properties: { owner: { type: 'string' }, repo: { type: 'string' } } } }, user.accessToken);
      expect({ status: tool.status, body: tool.status === 201 ? 'created' : tool.body }).toEqual({ status: 201, body: 'created' });
    }
    await expectOwnRowsOnly('integration', 'integration.tools', alice, bob);
  });

  it("identity: sign-in, refresh, API keys, settings and notifications work on its role, and an unfiltered statement sees only the acting user's", async () => {
    const link = await NatsLink.open(testEnv().natsUrl, 'dbroles-e2e');
    try {
      for (const user of [alice, bob]) {
        const key = await cluster.api.post('/api/v1/api-keys', { name: 'secured', scopes: ['read'] }, user.accessToken);
        expect({ status: key.status, body: key.status === 201 ? 'created' : key.body }).toEqual({ status: 201, body: 'created' });
        // The presented key is found before its owner is known (a named system path), then answers as that owner.
        expect((await cluster.api.get('/api/v1/me', key.body.key as string)).body.id).toBe(user.id);
        expect((await cluster.api.request('PATCH', '/api/v1/settings', { token: user.accessToken, body: { theme: 'dark' } })).status).toBe(200);
        expect((await cluster.api.request('PUT', '/api/v1/settings/provider-keys/openai', { token: user.accessToken, body: { apiKey: `sk-${randomBytes(12).toString('hex')}` } })).status).toBe(200);
        await new JetStreamPublisher(link, new Namespace(namespace)).publish({
          id: newId(),
          subject: NotificationRequested.execution.subject,
          occurredAt: new Date().toISOString(),
          actor: { kind: 'service', service: 'execution' },
          data: { userId: user.id, kind: 'run.completed', title: 'Done' },
        });
        const login = await cluster.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
        expect(login.status).toBe(200);
        const refreshed = await cluster.api.post('/api/v1/auth/refresh', { refreshToken: login.body.refreshToken as string });
        expect(refreshed.status).toBe(200);
        expect((await cluster.api.get('/api/v1/me', refreshed.body.accessToken as string)).status).toBe(200);
      }
    } finally {
      await link.close();
    }
    for (const user of [alice, bob]) {
      const deadline = Date.now() + 15_000;
      let count = 0;
      while (count === 0 && Date.now() < deadline) {
        count = ((await cluster.api.get('/api/v1/notifications', user.accessToken)).body.items as unknown[] | undefined)?.length ?? 0;
        if (count === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(count).toBeGreaterThan(0);
    }
    await expectOwnRowsOnly('identity', 'identity.users', alice, bob, 'id');
    await expectOwnRowsOnly('identity', 'identity.projects', alice, bob);
    for (const table of ['refresh_tokens', 'api_keys', 'user_settings', 'provider_keys', 'notifications']) await expectOwnRowsOnly('identity', `identity.${table}`, alice, bob, 'user_id');
    // The security record is not the user's: no row-level security, and no user reads it but a superuser through the admin routes.
    const [audit] = await query<{ relrowsecurity: boolean }>(databaseUrl, `SELECT relrowsecurity FROM pg_class WHERE oid = 'identity.audit_log'::regclass`);
    expect(audit.relrowsecurity).toBe(false);
  });

  it("execution sessions, usage, webhook secrets and deliveries, run steps and events: an unfiltered statement sees only the acting user's, and runs still work end to end", async () => {
    const runs: Record<string, string> = {};
    for (const user of [alice, bob]) {
      const agentId = await createAgent(user, 'Runs');
      const res = await cluster.api.post(`/api/v1/agents/${agentId}/runs`, { input: 'Say done.', webhookUrl: receiver.url }, user.accessToken);
      expect({ status: res.status, run: res.body.status as string }).toEqual({ status: 200, run: 'completed' });
      runs[user.id] = res.body.id as string;
      // Read back as the owner: the events (a replay), the steps and the session.
      const events = await (await SseReader.open(`${cluster.api.baseUrl}/api/v1/runs/${runs[user.id]}/events`, { token: user.accessToken })).readAll();
      expect(events.map((e) => e.event).at(-1)).toBe('run.completed');
      const steps = await cluster.api.get(`/api/v1/runs/${runs[user.id]}/steps`, user.accessToken);
      expect(steps.body.items.map((s: { type: string }) => s.type)).toEqual(['llm_call']);
      expect((await cluster.api.get(`/api/v1/sessions/${res.body.sessionId as string}`, user.accessToken)).status).toBe(200);
    }
    // The webhook worker sends each delivery as its owner, signed with that owner's secret.
    await receiver.waitFor(2);
    expect(receiver.received.map((r) => (r.body as { run: { id: string } }).run.id).sort()).toEqual(Object.values(runs).sort());
    expect((await cluster.api.get(`/api/v1/runs/${runs[bob.id]}/steps`, alice.accessToken)).status).toBe(404);
    expect((await cluster.api.get(`/api/v1/runs/${runs[bob.id]}/events`, alice.accessToken)).status).toBe(404);

    for (const table of ['execution.sessions', 'execution.usage_daily', 'execution.webhook_secrets', 'execution.run_webhook_deliveries']) await expectOwnRowsOnly('execution', table, alice, bob);
    for (const table of ['execution.run_steps', 'execution.run_events']) {
      await expectOwnRowsOnly('execution', table, alice, bob, ['execution.runs', 'run_id']);
    }
    // An event or step written for another user's run is refused.
    await inTransaction(login('execution'), { userId: alice.id }, async (c) => {
      await expect(c.query(`INSERT INTO execution.run_events (run_id, seq, type) VALUES ($1, 1000, 'planted')`, [runs[bob.id]])).rejects.toThrow(/run_events_parent_owner_fk/);
    });
    await inTransaction(login('execution'), { userId: alice.id }, async (c) => {
      await expect(c.query(`INSERT INTO execution.run_events (run_id, seq, type, owner_id) VALUES ($1, 1000, 'planted', $2)`, [runs[bob.id], bob.id])).rejects.toThrow(/row-level security/);
    });
    await inTransaction(login('execution'), { userId: alice.id }, async (c) => {
      await expect(
        c.query(`INSERT INTO execution.run_steps (id, run_id, seq, step_key, step_name, step_type, attempt) VALUES (gen_random_uuid(), $1, 1000, 'planted', 'planted', 'tool', 1)`, [runs[bob.id]]),
      ).rejects.toThrow(/row-level security/);
    });
  }, 60_000);

  it("MCP servers: each user sees their own and the shared ones, changes only their own; a server's statuses follow it", async () => {
    const server = async (owner: TestUser, name: string, shared: boolean): Promise<string> => {
      const id = randomUUID();
      await query(databaseUrl, `INSERT INTO integration.mcp_servers (id, owner_id, name, transport, url, is_shared) VALUES ($1, $2, $3, 'streamable_http', 'https://mcp.example.com/mcp', $4)`, [id, owner.id, name, shared]);
      await query(databaseUrl, `INSERT INTO integration.mcp_server_statuses (id, server_id, status) VALUES ($1, $2, 'healthy')`, [randomUUID(), id]);
      return id;
    };
    const shared = await server(alice, 'Company search', true);
    const alicePrivate = await server(alice, 'Alice notes', false);
    const bobPrivate = await server(bob, 'Bob notes', false);
    const role = login('integration');
    const seen = (settings: { userId?: string; system?: string }, table = 'integration.mcp_servers', id = 'id') =>
      inTransaction(role, settings, async (c) => (await c.query<{ id: string }>(`SELECT ${id} AS id FROM ${table}`)).rows.map((r) => r.id).sort());

    expect(await seen({ userId: bob.id })).toEqual([shared, bobPrivate].sort());
    expect(await seen({ userId: alice.id })).toEqual([shared, alicePrivate].sort());
    expect(await seen({ userId: bob.id }, 'integration.mcp_server_statuses', 'server_id')).toEqual([shared, bobPrivate].sort());
    expect(await seen({})).toEqual([shared]);
    expect(await seen({ system: 'test: every server' })).toEqual(expect.arrayContaining([shared, alicePrivate, bobPrivate]));
    await inTransaction(role, { userId: bob.id }, async (c) => {
      // Another user's shared server is read, never changed, whatever the statement.
      expect((await c.query(`UPDATE integration.mcp_servers SET name = 'hijacked', url = 'https://evil.example.com/'`)).rowCount).toBe(1); // his own only
      expect((await c.query(`DELETE FROM integration.mcp_servers WHERE id <> $1`, [bobPrivate])).rowCount).toBe(0);
      await expect(c.query(`INSERT INTO integration.mcp_servers (id, owner_id, name, transport, url, is_shared) VALUES ($1, $2, 'Planted', 'streamable_http', 'https://x.example.com/', true)`, [randomUUID(), alice.id])).rejects.toThrow(/row-level security/);
    });
    const [row] = await query<{ name: string }>(databaseUrl, 'SELECT name FROM integration.mcp_servers WHERE id = $1', [shared]);
    expect(row.name).toBe('Company search');
    // Through the API: bob lists the shared server with his own, reads it, and may not change it.
    const listed = await cluster.api.get('/api/v1/mcp-servers', bob.accessToken);
    expect(listed.body.items.map((s: { id: string }) => s.id).sort()).toEqual([shared, bobPrivate].sort());
    expect((await cluster.api.get(`/api/v1/mcp-servers/${shared}`, bob.accessToken)).status).toBe(200);
    expect((await cluster.api.get(`/api/v1/mcp-servers/${alicePrivate}`, bob.accessToken)).status).toBe(404);
    expect((await cluster.api.request('PATCH', `/api/v1/mcp-servers/${shared}`, { body: { name: 'Mine' }, token: bob.accessToken })).status).toBe(403);
  });

  it('no service was refused by the database while the tests above ran', () => {
    expect(refusals()).toEqual([]);
  });
});
