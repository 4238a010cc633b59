import { createHash, randomUUID } from 'node:crypto';
import { AppError, MemoryContracts, RunWriteContracts, serviceActor } from '#contracts';
import { Namespace, NatsBusClient, NatsLink } from '#messaging';
import { AppProcess, Cluster, createTestDatabase, query, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';

type Res = { status: number; headers: Headers; body: any; text: string };

/**
 * Conversations through the gateway with every app its own process over the real NATS and
 * PostgreSQL: conversations, the message tree, soft delete and restore, search, attachments, the
 * events consumed from identity and agent, every bad input of the issue, and another user's
 * conversation, message or attachment answering 404 on every route.
 */
describe('conversations over NATS, every app its own process', () => {
  let cluster: Cluster;
  let databaseUrl: string;
  let owner: TestUser;
  let stranger: TestUser;
  let agentId: string;
  let link: NatsLink;
  /** The bus as the execution service sees it: it writes what runs say and reads their memory. */
  let execution: NatsBusClient;

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token: string) => api().request('POST', `/api/v1${path}`, { body, token });
  const patch = (path: string, body: unknown, token: string) => api().request('PATCH', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string) => api().get(`/api/v1${path}`, token);
  const del = (path: string, token: string) => api().delete(`/api/v1${path}`, token);
  const newAgent = async (token: string): Promise<string> => {
    const res = await post('/agents', { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.' }, token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** A workflow of the token's user (start -> transform -> output: it never needs a model). */
  const newWorkflow = async (token: string): Promise<string> => {
    const definition = {
      inputs: [{ name: 'name', type: 'string', required: true }],
      outputs: [{ name: 'greeting', type: 'string' }],
      state: [{ name: 'greeting', type: 'string' }],
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'greet', type: 'transform', config: { set: { greeting: "'hello ' + inputs.name" } } },
        { id: 'out', type: 'output', config: { values: { greeting: 'state.greeting' } } },
      ],
      edges: [
        { from: 'start', to: 'greet' },
        { from: 'greet', to: 'out' },
      ],
    };
    const res = await post('/workflows', { name: 'Greeter', definition }, token);
    expect({ status: res.status, body: res.status === 201 ? 'created' : res.body }).toEqual({ status: 201, body: 'created' });
    return res.body.id as string;
  };
  const newConversation = async (token: string, agent: string, body: Record<string, unknown> = {}): Promise<string> => {
    const res = await post('/conversations', { agentId: agent, ...body }, token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Appends without running the agent (?run=false, as an import of history): this spec has no model server. */
  const say = async (token: string, id: string, content: string): Promise<string> => {
    const res = await post(`/conversations/${id}/messages?run=false`, { content }, token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** What the execution service writes when a run ends, over the real bus. */
  const assistantReply = async (conversationId: string, parentId: string, ownerId: string): Promise<string> => {
    const reply = await execution.request(
      RunWriteContracts.appendMessages,
      { ownerId, conversationId, runId: randomUUID(), parentId, messages: [{ step: 1, role: 'assistant', content: 'an answer', model: 'gpt-4o-mini', tokenUsage: { prompt: 10, completion: 5, total: 15 }, costMicros: 20 }] },
      { actor: serviceActor('execution') },
    );
    return reply.items[0].id;
  };
  const eventually = async (check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('conversations');
    const namespace = uniqueNamespace('conversations');
    link = await NatsLink.open(testEnv().natsUrl, 'conversations-e2e-execution');
    execution = new NatsBusClient(link, new Namespace(namespace), 10_000);
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace,
      perApp: { conversation: { CONVERSATION_MAX_MESSAGE_CHARS: '2000', CONVERSATION_ATTACHMENT_MAX_BYTES: '2048' } },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
    agentId = await newAgent(owner.accessToken);
  });

  afterAll(async () => {
    await link?.close();
    await cluster?.stop();
  });

  describe('successful', () => {
    it('creates a conversation, titles it from the first message, branches by edit, switches, deletes and restores it', async () => {
      const created = await post('/conversations', { agentId, metadata: { channel: 'web' } }, owner.accessToken);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ agentId, workflowId: null, title: null, isArchived: false, totals: { messages: 0 } });
      const id: string = created.body.id;

      const q1 = await say(owner.accessToken, id, 'Why does my   router\nreboot at night?');
      const a1 = await assistantReply(id, q1, owner.id);
      const q2 = await post(`/conversations/${id}/messages?run=false`, { content: 'Is it the firmware?', parentId: a1 }, owner.accessToken);
      expect(q2.body).toMatchObject({ role: 'user', parentId: a1 });
      const edit = await post(`/messages/${q2.body.id as string}/edit`, { content: 'Is it the power supply?' }, owner.accessToken);
      expect(edit.status).toBe(201);
      expect(edit.body.parentId).toBe(a1);

      const branch = await get(`/conversations/${id}/messages`, owner.accessToken);
      expect(branch.body.items.map((m: { content: string }) => m.content)).toEqual(['Why does my   router\nreboot at night?', 'an answer', 'Is it the power supply?']);
      const other = await get(`/conversations/${id}/messages?leaf=${q2.body.id as string}`, owner.accessToken);
      expect(other.body.items.map((m: { id: string }) => m.id)).toEqual([q1, a1, q2.body.id]);
      const tree = await get(`/conversations/${id}/tree`, owner.accessToken);
      expect(tree.body.nodes).toHaveLength(4);
      expect(tree.body.currentLeafId).toBe(edit.body.id);
      const switched = await post(`/conversations/${id}/switch`, { leafId: q2.body.id }, owner.accessToken);
      expect(switched.status).toBe(200);
      expect(switched.body.leafId).toBe(q2.body.id);

      const conversation = await get(`/conversations/${id}`, owner.accessToken);
      expect(conversation.body).toMatchObject({
        title: 'Why does my router reboot at night?',
        currentLeafId: q2.body.id,
        totals: { messages: 4, promptTokens: 10, completionTokens: 5, totalTokens: 15, costMicros: 20 },
      });
      expect((await patch(`/conversations/${id}`, { title: 'Router reboots' }, owner.accessToken)).body.title).toBe('Router reboots');

      expect((await del(`/conversations/${id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await get(`/conversations/${id}`, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await get(`/conversations/${id}/messages`, owner.accessToken), 404, 'NOT_FOUND');
      const restored = await post(`/conversations/${id}/restore`, {}, owner.accessToken);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ id, deletedAt: null, title: 'Router reboots' });
    });

    it('deletes and restores a message with its answers', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const first = await say(owner.accessToken, id, 'one');
      const second = await say(owner.accessToken, id, 'two');
      expect((await del(`/messages/${second}`, owner.accessToken)).status).toBe(204);
      expect((await get(`/conversations/${id}/messages`, owner.accessToken)).body.items.map((m: { id: string }) => m.id)).toEqual([first]);
      expectProblem(await post(`/messages/${second}/edit`, { content: 'x' }, owner.accessToken), 404, 'NOT_FOUND');
      expect((await post(`/messages/${second}/restore`, {}, owner.accessToken)).status).toBe(200);
      expect((await get(`/conversations/${id}`, owner.accessToken)).body.totals.messages).toBe(2);
    });

    it('lists newest activity first, filters, and pages by cursor', async () => {
      const user = await registerUser(cluster.api);
      const agent = await newAgent(user.accessToken);
      const a = await newConversation(user.accessToken, agent);
      const b = (await post('/conversations', { workflowId: await newWorkflow(user.accessToken) }, user.accessToken)).body.id as string;
      await say(user.accessToken, a, 'a is newest');
      const page1 = await get('/conversations?limit=1', user.accessToken);
      expect(page1.body.items.map((c: { id: string }) => c.id)).toEqual([a]);
      const page2 = await get(`/conversations?limit=1&cursor=${page1.body.nextCursor as string}`, user.accessToken);
      expect(page2.body).toEqual({ items: [expect.objectContaining({ id: b })], nextCursor: null });
      expect((await get(`/conversations?agentId=${agent}`, user.accessToken)).body.items.map((c: { id: string }) => c.id)).toEqual([a]);
      expect((await get('/conversations?archived=true', user.accessToken)).body.items).toEqual([]);
    });

    it('searches your own messages with a highlighted snippet and the conversation it belongs to', async () => {
      const id = await newConversation(owner.accessToken, agentId, { title: 'Gardening' });
      const hit = await say(owner.accessToken, id, 'My tomatoes have yellow leaves after the rain');
      await say(stranger.accessToken, await newConversation(stranger.accessToken, await newAgent(stranger.accessToken)), 'tomatoes of a stranger');
      const res = await get(`/search/messages?q=${encodeURIComponent('"yellow leaves" tomatoes -cucumber')}`, owner.accessToken);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ messageId: hit, conversationId: id, conversationTitle: 'Gardening', agentId })]);
      expect(res.body.items[0].snippet).toContain('<mark>tomatoes</mark>');
      expect((await get(`/search/messages?q=tomatoes&agentId=${randomUUID()}`, owner.accessToken)).body.items).toEqual([]);
      expect((await get(`/search/messages?q=tomatoes&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, owner.accessToken)).body.items).toEqual([]);
    });

    it('uploads an attachment and gives the bytes back to the owner only, as a download', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const bytes = Buffer.from('col1,col2\n1,2\n');
      const up = await post(`/conversations/${id}/attachments`, { filename: 'données "q1".csv', contentType: 'text/csv', contentBase64: bytes.toString('base64') }, owner.accessToken);
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), contentType: 'text/csv' });
      const down = await fetch(`${api().baseUrl}/api/v1/attachments/${up.body.id as string}`, { headers: { authorization: `Bearer ${owner.accessToken}` } });
      expect(down.status).toBe(200);
      expect(down.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(down.headers.get('content-disposition')).toBe(`attachment; filename="donn_es _q1_.csv"; filename*=UTF-8''donn%C3%A9es%20_q1_.csv`);
      expect(down.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it("archives a deleted agent's conversations, and removes a deleted user's conversations", async () => {
      const user = await registerUser(cluster.api);
      const agent = await newAgent(user.accessToken);
      const id = await newConversation(user.accessToken, agent);
      await say(user.accessToken, id, 'hello');
      expect((await del(`/agents/${agent}`, user.accessToken)).status).toBe(204);
      await eventually(async () => (await get(`/conversations/${id}`, user.accessToken)).body.isArchived === true);
      expect((await get(`/conversations/${id}/messages`, user.accessToken)).body.items).toHaveLength(1);

      expect((await del('/me', user.accessToken)).status).toBe(204);
      await eventually(async () => (await query(databaseUrl, 'SELECT 1 FROM conversation.conversations WHERE owner_id = $1', [user.id])).length === 0);
      expect(await query(databaseUrl, 'SELECT 1 FROM conversation.messages WHERE owner_id = $1', [user.id])).toHaveLength(0);
    });

    it('takes idempotent writes from runs and serves their memory, to the execution service only', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const runId = randomUUID();
      const actor = serviceActor('execution');
      const user = { ownerId: owner.id, conversationId: id, runId, step: 0, content: 'Summarise my week' };
      const first = await execution.request(RunWriteContracts.appendUserMessage, user, { actor });
      expect((await execution.request(RunWriteContracts.appendUserMessage, user, { actor })).id).toBe(first.id);
      const results = { ownerId: owner.id, conversationId: id, runId, messages: [{ step: 1, role: 'assistant' as const, content: 'A busy week.', tokenUsage: { prompt: 7, completion: 3, total: 10 }, costMicros: 5 }] };
      const a = await execution.request(RunWriteContracts.appendMessages, results, { actor });
      expect((await execution.request(RunWriteContracts.appendMessages, results, { actor })).items[0].id).toBe(a.items[0].id);
      expect((await get(`/conversations/${id}`, owner.accessToken)).body.totals).toEqual({ messages: 2, promptTokens: 7, completionTokens: 3, totalTokens: 10, costMicros: 5 });
      const memory = await execution.request(MemoryContracts.get, { ownerId: owner.id, conversationId: id, mode: 'window', maxMessages: 10 }, { actor });
      expect(memory.messages.map((m) => m.content)).toEqual(['Summarise my week', 'A busy week.']);
      const refused = await execution.request(MemoryContracts.get, { ownerId: owner.id, conversationId: id, mode: 'window' }, { actor: serviceActor('agent') }).then(
        () => 'served',
        (err: unknown) => (err instanceof AppError ? err.code : 'other'),
      );
      expect(refused).toBe('FORBIDDEN');
    });

    it('documents every conversation route at /docs', async () => {
      const doc = await api().get('/docs/openapi.json');
      const paths = Object.keys(doc.body.paths as Record<string, unknown>);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/api/v1/conversations',
          '/api/v1/conversations/{id}',
          '/api/v1/conversations/{id}/restore',
          '/api/v1/conversations/{id}/messages',
          '/api/v1/conversations/{id}/tree',
          '/api/v1/conversations/{id}/switch',
          '/api/v1/conversations/{id}/attachments',
          '/api/v1/messages/{id}/edit',
          '/api/v1/messages/{id}',
          '/api/v1/messages/{id}/restore',
          '/api/v1/search/messages',
          '/api/v1/attachments/{id}',
        ]),
      );
    });
  });

  describe('failing', () => {
    it('both or neither of agentId and workflowId -> 400 naming agentId', async () => {
      expectBadField(await post('/conversations', {}, owner.accessToken), 'agentId');
      expectBadField(await post('/conversations', { agentId, workflowId: randomUUID() }, owner.accessToken), 'agentId');
    });

    it("an agent that is not the caller's, or none at all -> 404 naming agentId, as for a workflow", async () => {
      const theirs = await newAgent(stranger.accessToken);
      for (const id of [theirs, randomUUID()]) {
        const refused = await post('/conversations', { agentId: id }, owner.accessToken);
        expectProblem(refused, 404, 'NOT_FOUND');
        expect(refused.body.field).toBe('agentId');
      }
    });

    it("a workflow that is not the caller's, or none at all -> 404, and nothing is created", async () => {
      const theirs = await newWorkflow(stranger.accessToken);
      const before = (await get('/conversations?limit=100', owner.accessToken)).body.items.length as number;
      expectProblem(await post('/conversations', { workflowId: theirs }, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post('/conversations', { workflowId: randomUUID() }, owner.accessToken), 404, 'NOT_FOUND');
      expect((await get('/conversations?limit=100', owner.accessToken)).body.items).toHaveLength(before);
      const own = await post('/conversations', { workflowId: theirs }, stranger.accessToken);
      expect(own.status).toBe(201);
      expect(own.body.workflowId).toBe(theirs);
    });

    it('a sessionId is unique per user: two users may use the same one, one user twice gets 409', async () => {
      const sessionId = randomUUID();
      const mine = await post('/conversations', { agentId, sessionId }, owner.accessToken);
      expect(mine.status).toBe(201);
      const theirs = await post('/conversations', { agentId: await newAgent(stranger.accessToken), sessionId }, stranger.accessToken);
      expect(theirs.status).toBe(201);
      expect(theirs.body.sessionId).toBe(sessionId);
      expectProblem(await post('/conversations', { agentId, sessionId }, owner.accessToken), 409, 'CONFLICT');
    });

    it('an empty message -> 400 naming content', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      expectBadField(await post(`/conversations/${id}/messages?run=false`, { content: '' }, owner.accessToken), 'content');
      expectBadField(await post(`/conversations/${id}/messages?run=false`, { content: '   \n' }, owner.accessToken), 'content');
    });

    it('an oversized message -> 400 naming content', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      expectBadField(await post(`/conversations/${id}/messages?run=false`, { content: 'x'.repeat(2001) }, owner.accessToken), 'content');
    });

    it('a parent from another conversation -> 400 naming parentId', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const elsewhere = await say(owner.accessToken, await newConversation(owner.accessToken, agentId), 'elsewhere');
      expectBadField(await post(`/conversations/${id}/messages?run=false`, { content: 'hi', parentId: elsewhere }, owner.accessToken), 'parentId');
      expectBadField(await post(`/conversations/${id}/switch`, { leafId: elsewhere }, owner.accessToken), 'leafId');
    });

    it('an edit of an assistant message -> 400 naming id', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const q = await say(owner.accessToken, id, 'question');
      const answer = await assistantReply(id, q, owner.id);
      expectBadField(await post(`/messages/${answer}/edit`, { content: 'rewritten' }, owner.accessToken), 'id');
    });

    it('an empty search query -> 400 naming q', async () => {
      expectBadField(await get('/search/messages?q=', owner.accessToken), 'q');
      expectBadField(await get('/search/messages', owner.accessToken), 'q');
    });

    it('an all-stopword search query -> 400 naming q', async () => {
      expectBadField(await get(`/search/messages?q=${encodeURIComponent('the of and')}`, owner.accessToken), 'q');
    });

    it('a pathological search query (very long, thousands of terms) -> 400 naming q', async () => {
      expectBadField(await get(`/search/messages?q=${'a'.repeat(600)}`, owner.accessToken), 'q');
      expectBadField(await get(`/search/messages?q=${encodeURIComponent(Array.from({ length: 60 }, (_, i) => `t${i}`).join(' or '))}`, owner.accessToken), 'q');
      expectBadField(await get(`/search/messages?q=${encodeURIComponent(Array.from({ length: 1000 }, (_, i) => `t${i}`).join(' '))}`, owner.accessToken), 'q');
      // Past Node's 16 KiB header limit the HTTP server itself answers 431 before any code of ours runs.
      const huge = await get(`/search/messages?q=${encodeURIComponent(Array.from({ length: 3000 }, (_, i) => `t${i}`).join(' '))}`, owner.accessToken);
      expect([400, 431]).toContain(huge.status);
    });

    it('an attachment over the limit -> 413 PAYLOAD_TOO_LARGE', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      expectProblem(await post(`/conversations/${id}/attachments`, { filename: 'big.txt', contentType: 'text/plain', contentBase64: Buffer.alloc(2049).toString('base64') }, owner.accessToken), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('an attachment of a refused type -> 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      expectProblem(await post(`/conversations/${id}/attachments`, { filename: 'x.html', contentType: 'text/html', contentBase64: 'PHA+' }, owner.accessToken), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('an attachment that is not base64 -> 400 naming contentBase64', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      expectBadField(await post(`/conversations/${id}/attachments`, { filename: 'x.txt', contentType: 'text/plain', contentBase64: 'not base64!' }, owner.accessToken), 'contentBase64');
    });

    it('an id that is not a UUID -> 400', async () => {
      expectBadField(await get('/conversations/not-a-uuid', owner.accessToken), 'id');
      expectBadField(await get('/attachments/not-a-uuid', owner.accessToken), 'id');
    });

    it("another user's conversation, message or attachment answers 404 on every route", async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const m = await say(owner.accessToken, id, 'secret plans');
      const file = (await post(`/conversations/${id}/attachments`, { filename: 'a.txt', contentType: 'text/plain', contentBase64: 'YQ==' }, owner.accessToken)).body.id as string;
      const t = stranger.accessToken;
      const attempts: Array<() => Promise<Res>> = [
        () => get(`/conversations/${id}`, t),
        () => patch(`/conversations/${id}`, { title: 'mine' }, t),
        () => del(`/conversations/${id}`, t),
        () => post(`/conversations/${id}/restore`, {}, t),
        () => get(`/conversations/${id}/messages`, t),
        () => post(`/conversations/${id}/messages?run=false`, { content: 'hi' }, t),
        () => get(`/conversations/${id}/tree`, t),
        () => post(`/conversations/${id}/switch`, { leafId: m }, t),
        () => post(`/conversations/${id}/attachments`, { filename: 'b.txt', contentType: 'text/plain', contentBase64: 'YQ==' }, t),
        () => post(`/messages/${m}/edit`, { content: 'hi' }, t),
        () => del(`/messages/${m}`, t),
        () => post(`/messages/${m}/restore`, {}, t),
        () => get(`/attachments/${file}`, t),
      ];
      for (const attempt of attempts) expectProblem(await attempt(), 404, 'NOT_FOUND');
      expect((await get('/search/messages?q=secret', t)).body.items).toEqual([]);
      expect((await get(`/conversations/${id}`, owner.accessToken)).body.title).toBe('secret plans');
    });

    it('deleted items answer 404 until restored', async () => {
      const id = await newConversation(owner.accessToken, agentId);
      const m = await say(owner.accessToken, id, 'vanishing words');
      const file = (await post(`/conversations/${id}/attachments`, { filename: 'a.txt', contentType: 'text/plain', contentBase64: 'YQ==' }, owner.accessToken)).body.id as string;
      expect((await del(`/conversations/${id}`, owner.accessToken)).status).toBe(204);
      expectProblem(await get(`/conversations/${id}/tree`, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await get(`/attachments/${file}`, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await post(`/messages/${m}/edit`, { content: 'x' }, owner.accessToken), 404, 'NOT_FOUND');
      expect((await get('/search/messages?q=vanishing', owner.accessToken)).body.items).toEqual([]);
      expectProblem(await del(`/conversations/${id}`, owner.accessToken), 404, 'NOT_FOUND');
      expect((await post(`/conversations/${id}/restore`, {}, owner.accessToken)).status).toBe(200);
      expect((await get(`/attachments/${file}`, owner.accessToken)).status).toBe(200);
      expect((await get('/search/messages?q=vanishing', owner.accessToken)).body.items).toHaveLength(1);
    });
  });
});

describe('conversation service start-up configuration', () => {
  it('refuses to start with a bad CONVERSATION_ATTACHMENT_MAX_BYTES and names it', async () => {
    const app = AppProcess.forApp('conversation', { DATABASE_URL: testEnv().databaseUrl, NATS_URL: testEnv().natsUrl, CONVERSATION_ATTACHMENT_MAX_BYTES: '5000000' });
    app.start();
    await app.waitForOutput(/Invalid configuration/);
    while (app.running) await new Promise((r) => setTimeout(r, 20));
    expect(app.exitCode).toBe(78);
    expect(app.output).toMatch(/CONVERSATION_ATTACHMENT_MAX_BYTES must be an integer between 1 and 700000/);
  });
});
