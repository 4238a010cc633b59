import { Cluster, createTestDatabase, FakeOpenAiServer, query, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';

/**
 * Knowledge bases through the gateway with every app its own process over the real NATS and
 * PostgreSQL: documents ingested in the background, search with filters that never starve,
 * ingestion surviving kill -9 of the agent service, every bad input, and another user's
 * knowledge answering 404 on every route.
 */
describe('knowledge bases over NATS, every app its own process', () => {
  let cluster: Cluster;
  let databaseUrl: string;
  let owner: TestUser;
  let stranger: TestUser;
  let fake: FakeOpenAiServer;

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token: string) => api().request('POST', `/api/v1${path}`, { body, token });
  const patch = (path: string, body: unknown, token: string) => api().request('PATCH', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string) => api().get(`/api/v1${path}`, token);
  const del = (path: string, token: string) => api().delete(`/api/v1${path}`, token);

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const ready = (id: string, token = owner.accessToken) =>
    until(() => get(`/documents/${id}`, token), (res) => res.body.status === 'ready' || res.body.status === 'failed', `document ${id}`).then((res) => res.body);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    databaseUrl = await createTestDatabase('knowledge');
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('knowledge'),
      readyTimeoutMs: 150_000,
      perApp: {
        agent: { KNOWLEDGE_POLL_MS: '100', KNOWLEDGE_LEASE_SECONDS: '1', KNOWLEDGE_EMBED_BATCH: '2', KNOWLEDGE_MAX_DOCUMENT_BYTES: '400000' },
        execution: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test' },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  it('creates a base, ingests documents in the background and searches them; a filter matching 3 of 23 chunks still returns 3', async () => {
    const created = await post('/knowledge-bases', { name: 'Runbooks' }, owner.accessToken);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ embedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 384 }, chunking: { size: 1000, overlap: 150 } });
    const baseId: string = created.body.id;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await post(`/knowledge-bases/${baseId}/documents`, { source: 'text', content: `Database failover runbook ${i}: promote the replica and check the database lag.`, metadata: { team: 'db', severity: i % 4 } }, owner.accessToken);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'pending', duplicate: false });
      ids.push(res.body.id);
    }
    for (let i = 0; i < 3; i++) {
      ids.push((await post(`/knowledge-bases/${baseId}/documents`, { source: 'markdown', content: `# Lunch menu ${i}\n\nThe database of recipes lists soup.`, metadata: { team: 'kitchen' } }, owner.accessToken)).body.id);
    }
    for (const id of ids) expect(await ready(id)).toMatchObject({ status: 'ready', progress: { done: 1, total: 1 } });

    const unfiltered = await post(`/knowledge-bases/${baseId}/search`, { query: 'database failover', topK: 3 }, owner.accessToken);
    expect(unfiltered.status).toBe(200);
    expect(unfiltered.body.items.map((h: { metadata: { team: string } }) => h.metadata.team)).toEqual(['db', 'db', 'db']);
    const filtered = await post(`/knowledge-bases/${baseId}/search`, { query: 'database failover', topK: 3, filter: { team: 'kitchen' } }, owner.accessToken);
    expect(filtered.body.items).toHaveLength(3);
    expect(filtered.body.items[0]).toMatchObject({ metadata: { team: 'kitchen' }, highlight: expect.stringContaining('**database**') });
    const ranged = await post('/knowledge-bases/search', { knowledgeBaseIds: [baseId], query: 'replica', topK: 20, mode: 'fulltext', filter: { and: [{ team: 'db' }, { severity: { gte: 2 } }] } }, owner.accessToken);
    expect(ranged.body.items).toHaveLength(10);

    const chunk = await get(`/chunks/${filtered.body.items[0].chunkId}`, owner.accessToken);
    expect(chunk.status).toBe(200);
    expect(chunk.body).toMatchObject({ knowledgeBaseId: baseId, metadata: { team: 'kitchen' } });
    expect((await get(`/knowledge-bases/${baseId}/documents?limit=5`, owner.accessToken)).body.items).toHaveLength(5);

    const again = await post(`/knowledge-bases/${baseId}/documents`, { source: 'text', content: 'Database failover runbook 0: promote the replica and check the database lag.' }, owner.accessToken);
    expect(again.body).toMatchObject({ id: ids[0], duplicate: true });
  });

  it('ingestion survives kill -9 of the agent service: the new process resumes and writes no chunk twice', async () => {
    const base = (await post('/knowledge-bases', { name: 'Big', chunking: { size: 100, overlap: 0 } }, owner.accessToken)).body;
    const content = Array.from({ length: 800 }, (_, i) => `Line ${i} of the big handbook about incident reviews.`).join('\n');
    const doc = (await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content }, owner.accessToken)).body;
    const agent = cluster.app('agent');
    const midway = await until(() => get(`/documents/${doc.id}`, owner.accessToken), (res) => res.body.progress?.done > 0, 'ingestion to start', 30_000);
    await agent.kill('SIGKILL');
    expect(midway.body.status).toBe('processing');
    agent.start();
    await cluster.waitReady(150_000);
    const done = await ready(doc.id);
    expect(done.status).toBe('ready');
    expect(done.progress.done).toBe(done.progress.total);
    const [counts] = await query<{ chunks: number; indexes: number; vectors: number }>(
      databaseUrl,
      `SELECT count(*)::int AS chunks, count(DISTINCT chunk_index)::int AS indexes,
              (SELECT count(*)::int FROM agent.chunk_embeddings e JOIN agent.chunks c ON c.id = e.chunk_id WHERE c.document_id = $1) AS vectors
       FROM agent.chunks WHERE document_id = $1`,
      [doc.id],
    );
    expect(counts).toEqual({ chunks: done.progress.total, indexes: done.progress.total, vectors: done.progress.total });
    expect((await post(`/knowledge-bases/${base.id}/search`, { query: 'line 723 incident', topK: 1, mode: 'fulltext' }, owner.accessToken)).body.items[0].content).toContain('Line 723 ');
    }, 240_000);

  it('re-embeds after a change of model, with progress, and search answers throughout', async () => {
    const base = (await post('/knowledge-bases', { name: 'Model change' }, owner.accessToken)).body;
    const doc = (await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: 'Quarterly revenue grew in the northern region.' }, owner.accessToken)).body;
    await ready(doc.id);
    const changed = await patch(`/knowledge-bases/${base.id}`, { embedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 128 } }, owner.accessToken);
    expect(changed.status).toBe(200);
    expect(changed.body.embedding.dimensions).toBe(128);
    expect((await post(`/knowledge-bases/${base.id}/search`, { query: 'revenue', mode: 'vector' }, owner.accessToken)).body.items).toHaveLength(1);
    const after = await until(() => get(`/knowledge-bases/${base.id}`, owner.accessToken), (res) => res.body.reembedding.status === 'idle', 're-embedding');
    expect(after.body.searchEmbedding.dimensions).toBe(128);
    expect((await post(`/knowledge-bases/${base.id}/search`, { query: 'revenue', mode: 'vector' }, owner.accessToken)).body.items[0].documentId).toBe(doc.id);
  });

  it('re-embeds with an external OpenAI-compatible model through the execution service, with the platform key', async () => {
    const base = (await post('/knowledge-bases', { name: 'External model' }, owner.accessToken)).body;
    const doc = (await post(`/knowledge-bases/${base.id}/documents`, { source: 'html', content: '<p>Invoices are sent on the first working day.</p>' }, owner.accessToken)).body;
    await ready(doc.id);
    const before = fake.embeddingRequests.length;
    const changed = await patch(`/knowledge-bases/${base.id}`, { embedding: { provider: 'openai', model: 'text-embedding-3-small', dimensions: 32 } }, owner.accessToken);
    expect(changed.body).toMatchObject({ embedding: { provider: 'openai', dimensions: 32 } });
    const after = await until(() => get(`/knowledge-bases/${base.id}`, owner.accessToken), (res) => res.body.reembedding.status === 'idle', 're-embedding');
    expect(after.body.searchEmbedding).toEqual({ provider: 'openai', model: 'text-embedding-3-small', dimensions: 32 });
    expect(fake.embeddingRequests.length).toBeGreaterThan(before);
    expect(fake.embeddingRequests.at(-1)?.headers.authorization).toBe('Bearer sk-test');
    const hits = await post(`/knowledge-bases/${base.id}/search`, { query: 'when are invoices sent', mode: 'vector' }, owner.accessToken);
    expect(hits.body.items[0].documentId).toBe(doc.id);
  });

  it('an agent with a knowledge base searches it with knowledge_search and answers with citations, in the run and on the assistant message', async () => {
    const base = (await post('/knowledge-bases', { name: 'Warranty' }, owner.accessToken)).body;
    const doc = (await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: 'The warranty of every router lasts 24 months from delivery.', metadata: { product: 'router' } }, owner.accessToken)).body;
    await ready(doc.id);
    const agent = await post('/agents', { name: 'Support', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Answer from the knowledge base.', knowledgeBaseIds: [base.id] }, owner.accessToken);
    expect(agent.status).toBe(201);
    const conversationId: string = (await post('/conversations', { agentId: agent.body.id }, owner.accessToken)).body.id;
    fake.replyToolCalls([{ id: 'call_kb', name: 'knowledge_search', arguments: { query: 'warranty length', filter: { product: 'router' } } }]).replyText('The warranty lasts 24 months.');
    const res = await post(`/conversations/${conversationId}/messages`, { content: 'How long is the warranty?' }, owner.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', output: { content: 'The warranty lasts 24 months.' } });
    const [citation] = res.body.output.citations;
    expect(citation).toEqual({ chunkId: expect.any(String), documentId: doc.id, knowledgeBaseId: base.id, score: expect.any(Number) });
    expect((await get(`/chunks/${citation.chunkId}`, owner.accessToken)).body.content).toContain('24 months');

    const offered = fake.completions.at(-2)?.body.tools as Array<{ function: { name: string } }>;
    expect(offered.map((t) => t.function.name)).toContain('knowledge_search');
    const toolMessage = (fake.completions.at(-1)?.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool');
    expect(JSON.parse(toolMessage?.content ?? '{}').results[0]).toMatchObject({ chunkId: citation.chunkId, text: expect.stringContaining('24 months') });

    const messages = (await get(`/conversations/${conversationId}/messages`, owner.accessToken)).body.items as Array<{ role: string; metadata: Record<string, unknown> }>;
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', metadata: { citations: [citation] } });

    const foreign = await post('/agents', { name: 'Spy', knowledgeBaseIds: [base.id] }, stranger.accessToken);
    expectProblem(foreign, 404, 'NOT_FOUND');
  });

  it("answers 404 for another user's knowledge base, document and chunk on every route", async () => {
    const base = (await post('/knowledge-bases', { name: 'Private' }, owner.accessToken)).body;
    const doc = (await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: 'Secret roadmap.' }, owner.accessToken)).body;
    await ready(doc.id);
    const chunkId = (await post(`/knowledge-bases/${base.id}/search`, { query: 'roadmap' }, owner.accessToken)).body.items[0].chunkId;
    const t = stranger.accessToken;
    const responses = [
      await get(`/knowledge-bases/${base.id}`, t),
      await patch(`/knowledge-bases/${base.id}`, { name: 'Mine' }, t),
      await del(`/knowledge-bases/${base.id}`, t),
      await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: 'x' }, t),
      await get(`/knowledge-bases/${base.id}/documents`, t),
      await post(`/knowledge-bases/${base.id}/search`, { query: 'roadmap' }, t),
      await post('/knowledge-bases/search', { knowledgeBaseIds: [base.id], query: 'roadmap', ownerId: owner.id }, t),
      await get(`/documents/${doc.id}`, t),
      await del(`/documents/${doc.id}`, t),
      await get(`/chunks/${chunkId}`, t),
    ];
    for (const res of responses) expectProblem(res, 404, 'NOT_FOUND');
    expect((await get('/knowledge-bases', t)).body.items).toEqual([]);
    expect((await get(`/documents/${doc.id}`, owner.accessToken)).status).toBe(200);
  });

  it('refuses every bad input with a 4xx naming the problem', async () => {
    const t = owner.accessToken;
    const base = (await post('/knowledge-bases', { name: 'Inputs' }, t)).body;
    expectBadField(await post('/knowledge-bases', {}, t), 'name');
    expectBadField(await post('/knowledge-bases', { name: 'x', chunking: { size: 100, overlap: 60 } }, t), 'chunking.overlap');
    expectBadField(await post('/knowledge-bases', { name: 'x', embedding: { provider: 'word2vec', model: 'm', dimensions: 64 } }, t), 'embedding.provider');
    expectBadField(await get('/knowledge-bases/not-a-uuid', t), 'id');
    expectBadField(await post(`/knowledge-bases/${base.id}/documents`, { source: 'docx', content: 'x' }, t), 'source');
    expectBadField(await post(`/knowledge-bases/${base.id}/documents`, { source: 'text' }, t), 'content');
    expectBadField(await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: ' \n ' }, t), 'content');
    expectProblem(await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: 'x'.repeat(400_001) }, t), 413, 'PAYLOAD_TOO_LARGE');
    expectBadField(await post(`/knowledge-bases/${base.id}/search`, { query: '' }, t), 'query');
    expectBadField(await post(`/knowledge-bases/${base.id}/search`, { query: 'x', mode: 'semantic' }, t), 'mode');
    expectBadField(await post(`/knowledge-bases/${base.id}/search`, { query: 'x', topK: 500 }, t), 'topK');
    expectBadField(await post(`/knowledge-bases/${base.id}/search`, { query: 'x', filter: { year: { between: [1, 2] } } }, t), 'filter.year.between');
    expectBadField(await post(`/knowledge-bases/${base.id}/search`, { query: 'x', filter: { or: [{ a: 1 }, { b: [1] }] } }, t), 'filter.or[1].b');
    expectBadField(await post('/knowledge-bases/search', { query: 'x', knowledgeBaseIds: [] }, t), 'knowledgeBaseIds');
  });

  it('deleting a knowledge base deletes its documents and chunks', async () => {
    const base = (await post('/knowledge-bases', { name: 'Temporary' }, owner.accessToken)).body;
    const doc = (await post(`/knowledge-bases/${base.id}/documents`, { source: 'text', content: 'Gone soon.' }, owner.accessToken)).body;
    await ready(doc.id);
    expect((await del(`/knowledge-bases/${base.id}`, owner.accessToken)).status).toBe(204);
    expectProblem(await get(`/documents/${doc.id}`, owner.accessToken), 404, 'NOT_FOUND');
    expect(await query(databaseUrl, 'SELECT 1 FROM agent.chunks WHERE knowledge_base_id = $1', [base.id])).toHaveLength(0);
  });
});
