import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountContracts,
  type Actor,
  AgentContracts,
  AttachmentContracts,
  AppError,
  DocumentContracts,
  type DocumentView,
  type Envelope,
  KnowledgeBaseContracts,
  KnowledgeBaseRefContracts,
  type KnowledgeBaseView,
  KnowledgeSearchContracts,
  type KnowledgeSearchResult,
  ProjectDeleted,
  type RpcContract,
  type SearchKnowledgeRequest,
  serviceActor,
  UserDeleted,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, pdfWithText, query } from '#testing';
import { agentApp } from '../src/agent.app.js';
import { InMemoryIndex } from '../src/knowledge-search/in-memory-index.js';
import { StaleGenerationError } from '../src/knowledge-search/vector-index.js';

/** Knowledge bases in the agent service against the real PostgreSQL, called over the in-process bus as the gateway calls them. */
describe('knowledge service', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;
  let stopProjects: (() => void) | undefined;
  let stopAttachments: (() => void) | undefined;
  let site: Server;
  let siteUrl: string;
  /** Attachments the conversation service (not run here) would serve, by id: owner and file. */
  const attachments = new Map<string, { ownerId: string; contentType: string; bytes: Buffer; filename: string }>();

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: 'ok', fields: [] as string[] }),
      (err: unknown) =>
        err instanceof AppError
          ? { code: err.code as string, fields: ((err.details?.errors ?? []) as Array<{ field: string }>).map((e) => e.field) }
          : { code: 'not-an-app-error', fields: [] as string[] },
    );
  const deliver = (subject: string, data: unknown) => InProcessBus.shared().publish({ id: randomUUID(), subject, occurredAt: new Date().toISOString(), data });
  const newBase = (actor: Actor, body: Record<string, unknown> = {}) => call(KnowledgeBaseContracts.create, { name: 'Handbook', ...body }, actor);
  const addText = (actor: Actor, knowledgeBaseId: string, content: string, metadata: Record<string, unknown> = {}) =>
    call(DocumentContracts.add, { knowledgeBaseId, source: 'text', content, metadata }, actor);
  const search = (actor: Actor, request: Omit<SearchKnowledgeRequest, 'ownerId'>): Promise<KnowledgeSearchResult> => call(KnowledgeSearchContracts.search, request, actor);

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const ready = (actor: Actor, id: string) => until(() => call(DocumentContracts.get, { id }, actor), (d: DocumentView) => d.status === 'ready' || d.status === 'failed', `document ${id}`);

  beforeAll(async () => {
    stopProjects = InProcessBus.shared().respond(AccountContracts.getProject.subject, async (raw) => {
      const { data } = raw as Envelope<{ id: string }>;
      const now = new Date().toISOString();
      return { ok: true, data: { id: data.id, name: 'Project', description: null, icon: 'folder', color: '#f97316', isDefault: false, isArchived: false, sortOrder: 0, createdAt: now, updatedAt: now } };
    });
    stopAttachments = InProcessBus.shared().respond(AttachmentContracts.download.subject, async (raw) => {
      const { data, actor } = raw as Envelope<{ id: string }>;
      const file = attachments.get(data.id);
      if (!file || file.ownerId !== actor.userId) return { ok: false, error: { code: 'NOT_FOUND', message: 'attachment not found' } };
      const now = new Date().toISOString();
      return { ok: true, data: { id: data.id, conversationId: randomUUID(), messageId: null, filename: file.filename, contentType: file.contentType, sizeBytes: file.bytes.byteLength, sha256: 'x', createdAt: now, contentBase64: file.bytes.toString('base64') } };
    });
    // A web site on this machine: the outbound policy lets the agent service reach exactly this port.
    site = createServer((req, res) => {
      if (req.url === '/page.html') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><head><title>Shipping FAQ</title><style>p{}</style></head><body><h1>Shipping</h1><p>Parcels leave the warehouse &amp; arrive in 3 days.</p><script>alert(1)</script></body></html>');
      if (req.url === '/guide.pdf') return res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdfWithText([['The PDF guide explains pallet storage.']]));
      if (req.url === '/image.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      if (req.url === '/huge.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('z'.repeat(30_000));
      return res.writeHead(404).end('missing');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    process.env.KNOWLEDGE_POLL_MS = '50';
    process.env.KNOWLEDGE_LEASE_SECONDS = '1';
    process.env.KNOWLEDGE_EMBED_BATCH = '4';
    process.env.KNOWLEDGE_MAX_DOCUMENT_BYTES = '20000';
    databaseUrl = await createTestDatabase('knowledge');
    const allowSite = { allowInternal: false, internalAllowlist: [siteUrl.replace('http://', '')] };
    runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false, outbound: allowSite }, 'knowledge-spec');
    service = await startBusService(agentApp, runtime);
  });

  afterAll(async () => {
    stopProjects?.();
    stopAttachments?.();
    await new Promise((resolve) => site?.close(resolve));
    for (const name of ['KNOWLEDGE_POLL_MS', 'KNOWLEDGE_LEASE_SECONDS', 'KNOWLEDGE_EMBED_BATCH', 'KNOWLEDGE_MAX_DOCUMENT_BYTES']) delete process.env[name];
    await service?.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('creates a knowledge base with the built-in embedder and default chunking, lists, changes and deletes it', async () => {
      const owner = newUser();
      const base = await newBase(owner, { description: 'How we work' });
      expect(base).toMatchObject({
        name: 'Handbook',
        embedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 384 },
        searchEmbedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 384 },
        chunking: { size: 1000, overlap: 150 },
        reembedding: { status: 'idle', done: 0, total: 0 },
      });
      expect((await call(KnowledgeBaseContracts.list, {}, owner)).items.map((b) => b.id)).toEqual([base.id]);
      const changed = await call(KnowledgeBaseContracts.update, { id: base.id, name: 'Guide', chunking: { size: 400, overlap: 50 } }, owner);
      expect(changed).toMatchObject({ name: 'Guide', chunking: { size: 400, overlap: 50 } });
      await call(KnowledgeBaseContracts.delete, { id: base.id }, owner);
      expect((await failure(call(KnowledgeBaseContracts.get, { id: base.id }, owner))).code).toBe('NOT_FOUND');
    });

    it('ingests a document in the background: pending, then ready with its progress, chunks inheriting its metadata; the same text again adds nothing', async () => {
      const owner = newUser();
      const base = await newBase(owner, { chunking: { size: 200, overlap: 20 } });
      const text = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} explains how the deployment pipeline promotes release ${i} to production.`).join('\n\n');
      const added = await addText(owner, base.id, text, { team: 'platform' });
      expect(added).toMatchObject({ status: 'pending', duplicate: false, title: 'Paragraph 0 explains how the deployment pipeline promotes release 0 to production.', contentType: 'text/plain' });
      const done = await ready(owner, added.id);
      expect(done.status).toBe('ready');
      expect(done.progress.total).toBeGreaterThan(3);
      expect(done.progress.done).toBe(done.progress.total);
      const chunks = await query<{ metadata: unknown }>(databaseUrl, 'SELECT metadata FROM agent.chunks WHERE document_id = $1', [added.id]);
      expect(chunks).toHaveLength(done.progress.total);
      expect(chunks.every((c) => JSON.stringify(c.metadata) === '{"team":"platform"}')).toBe(true);

      const again = await addText(owner, base.id, `  ${text}\n`);
      expect(again).toMatchObject({ id: added.id, duplicate: true, status: 'ready' });
      expect((await call(DocumentContracts.list, { knowledgeBaseId: base.id }, owner)).items).toHaveLength(1);
    });

    it('resumes a document whose worker died mid-way without duplicating chunks or vectors', async () => {
      const owner = newUser();
      const base = await newBase(owner, { chunking: { size: 200, overlap: 0 } });
      const text = Array.from({ length: 10 }, (_, i) => `Section ${i}: the on-call engineer checks dashboards ${i} before paging anyone.`).join('\n\n');
      const added = await addText(owner, base.id, text);
      const first = await ready(owner, added.id);
      // What a worker killed half-way leaves: its claim with a lease that ran out, part of the vectors.
      await query(databaseUrl, `DELETE FROM agent.chunk_embeddings WHERE chunk_id IN (SELECT id FROM agent.chunks WHERE document_id = $1 AND chunk_index >= 3)`, [added.id]);
      await query(databaseUrl, `DELETE FROM agent.chunks WHERE document_id = $1 AND chunk_index >= 6`, [added.id]);
      await query(databaseUrl, `UPDATE agent.documents SET status = 'processing', lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second' WHERE id = $1`, [added.id]);
      await call(KnowledgeBaseContracts.update, { id: base.id, description: 'wake the worker' }, owner);
      const resumed = await ready(owner, added.id);
      expect(resumed).toMatchObject({ status: 'ready', progress: first.progress });
      const [counts] = await query<{ chunks: number; distinct_index: number; vectors: number }>(
        databaseUrl,
        `SELECT count(*)::int AS chunks, count(DISTINCT chunk_index)::int AS distinct_index,
                (SELECT count(*)::int FROM agent.chunk_embeddings e JOIN agent.chunks c ON c.id = e.chunk_id WHERE c.document_id = $1) AS vectors
         FROM agent.chunks WHERE document_id = $1`,
        [added.id],
      );
      expect(counts).toEqual({ chunks: first.progress.total, distinct_index: first.progress.total, vectors: first.progress.total });
    });

    it('searches in every mode; hybrid finds both the exact words and their inflections; results carry document, metadata, score and highlight', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const docs = [
        ['Refunds are issued within fourteen days of a returned parcel.', { kind: 'policy' }],
        ['Our warehouse ships parcels every weekday morning.', { kind: 'ops' }],
        ['Passwords must be rotated every ninety days.', { kind: 'security' }],
      ] as const;
      const ids = [];
      for (const [content, metadata] of docs) ids.push((await addText(owner, base.id, content, metadata)).id);
      for (const id of ids) await ready(owner, id);

      const fullText = await search(owner, { knowledgeBaseIds: [base.id], query: 'refund of a returned parcel', mode: 'fulltext' });
      expect(fullText.items[0]).toMatchObject({ documentId: ids[0], knowledgeBaseId: base.id, metadata: { kind: 'policy' } });
      expect(fullText.items[0].highlight).toContain('**');

      const vector = await search(owner, { knowledgeBaseIds: [base.id], query: 'refunding returns', mode: 'vector' });
      expect(vector.items[0].documentId).toBe(ids[0]);
      expect(vector.items[0].score).toBeGreaterThan(0);

      const hybrid = await search(owner, { knowledgeBaseIds: [base.id], query: 'rotating passwords', topK: 2 });
      expect(hybrid.items).toHaveLength(2);
      expect(hybrid.items[0].documentId).toBe(ids[2]);
    });

    it('applies filters before scoring: a filter matching 5 of 65 chunks still returns 5, though the 60 others rank higher', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const added: string[] = [];
      for (let i = 0; i < 60; i++) added.push((await addText(owner, base.id, `Kubernetes cluster upgrade runbook step ${i} for kubernetes nodes.`, { team: 'infra', year: 2020 + (i % 3) })).id);
      for (let i = 0; i < 5; i++) added.push((await addText(owner, base.id, `Holiday calendar entry ${i} mentions the cluster once.`, { team: 'people', year: 2024 })).id);
      for (const id of added) await ready(owner, id);

      for (const mode of ['hybrid', 'vector'] as const) {
        const unfiltered = await search(owner, { knowledgeBaseIds: [base.id], query: 'kubernetes cluster upgrade', mode, topK: 5 });
        expect(unfiltered.items.every((hit) => hit.metadata.team === 'infra')).toBe(true);
        const filtered = await search(owner, { knowledgeBaseIds: [base.id], query: 'kubernetes cluster upgrade', mode, topK: 5, filter: { team: 'people' } });
        expect(filtered.items).toHaveLength(5);
        expect(filtered.items.every((hit) => hit.metadata.team === 'people')).toBe(true);
      }

      const hits = async (filter: Record<string, unknown>) => (await search(owner, { knowledgeBaseIds: [base.id], query: 'cluster', topK: 50, filter })).items;
      expect((await hits({ year: { in: [2020, 2024] } })).every((h) => [2020, 2024].includes(h.metadata.year as number))).toBe(true);
      expect((await hits({ year: { gte: 2021, lt: 2024 } })).map((h) => h.metadata.year).sort()).toEqual([...Array(20).fill(2021), ...Array(20).fill(2022)]);
      expect(await hits({ missing: { exists: true } })).toHaveLength(0);
      expect(await hits({ or: [{ team: 'people' }, { and: [{ team: 'infra' }, { year: 2020 }] }] })).toHaveLength(25);
    });

    it('filters numbers beyond a double\'s precision as PostgreSQL does (numeric filters over such metadata go to SQL)', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const doc = await addText(owner, base.id, 'Ledger entry with a very large serial number.', { serial: 1 });
      await ready(owner, doc.id);
      // Written outside the API (JSON through the API never carries more digits than a double keeps).
      await query(databaseUrl, `UPDATE agent.chunks SET metadata = '{"serial": 12345678901234567891}' WHERE document_id = $1`, [doc.id]);
      await query(databaseUrl, 'UPDATE agent.knowledge_bases SET index_version = index_version + 1 WHERE id = $1', [base.id]);
      const found = async (filter: Record<string, unknown>) => (await search(owner, { knowledgeBaseIds: [base.id], query: 'ledger', mode: 'vector', filter })).items.length;
      // As doubles both numbers are the same; as numeric the serial is the greater.
      expect(await found({ serial: { gt: 12345678901234567890 } })).toBe(1);
      expect(await found({ serial: { lt: 12345678901234567890 } })).toBe(0);
      expect(await found({ serial: { exists: true } })).toBe(1);
    });

    it('searches several bases at once, and a service may search for the owner it names', async () => {
      const owner = newUser();
      const [a, b] = [await newBase(owner), await newBase(owner)];
      const [da, db] = [await addText(owner, a.id, 'Alpha base talks about invoices.'), await addText(owner, b.id, 'Beta base talks about invoices too.')];
      await ready(owner, da.id);
      await ready(owner, db.id);
      const both = await search(owner, { knowledgeBaseIds: [a.id, b.id], query: 'invoices' });
      expect(both.items.map((h) => h.knowledgeBaseId).sort()).toEqual([a.id, b.id].sort());
      const asService = await call(KnowledgeSearchContracts.search, { knowledgeBaseIds: [a.id], query: 'invoices', ownerId: owner.userId }, serviceActor('execution'));
      expect(asService.items.map((h) => h.documentId)).toEqual([da.id]);
      expect(await call(KnowledgeBaseRefContracts.findOwned, { ownerId: owner.userId!, ids: [a.id, randomUUID(), b.id] }, serviceActor('workflow'))).toEqual({ found: [a.id, b.id] });
    });

    it('reads HTML, PDF, an attachment and a URL (HTML or PDF) into plain text', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const add = (body: Record<string, unknown>) => call(DocumentContracts.add, { knowledgeBaseId: base.id, ...body } as never, owner) as Promise<DocumentView>;
      const html = await add({ source: 'html', content: '<h1>Returns</h1><p>Send it back within 30&nbsp;days.</p><script>track()</script>' });
      const pdf = await add({ source: 'pdf', contentBase64: pdfWithText([['Invoices are due in 45 days.'], ['Page two: late fees.']]).toString('base64') });
      const attachmentId = randomUUID();
      attachments.set(attachmentId, { ownerId: owner.userId!, contentType: 'text/markdown', bytes: Buffer.from('# Holidays\n\nThe office closes in August.'), filename: 'holidays.md' });
      const attached = await add({ source: 'attachment', attachmentId });
      const page = await add({ source: 'url', url: `${siteUrl}/page.html` });
      const file = await add({ source: 'url', url: `${siteUrl}/guide.pdf` });
      expect([html, pdf, attached, page, file].map((d) => [d.source, d.contentType])).toEqual([
        ['html', 'text/html'],
        ['pdf', 'application/pdf'],
        ['attachment', 'text/markdown'],
        ['url', 'text/html'],
        ['url', 'application/pdf'],
      ]);
      expect(page).toMatchObject({ title: 'Shipping FAQ', sourceRef: `${siteUrl}/page.html` });
      expect(attached).toMatchObject({ title: 'holidays.md', sourceRef: attachmentId });
      for (const d of [html, pdf, attached, page, file]) expect((await ready(owner, d.id)).status).toBe('ready');
      const textOf = async (id: string) => (await query<{ content: string }>(databaseUrl, 'SELECT content FROM agent.documents WHERE id = $1', [id]))[0].content;
      expect(await textOf(html.id)).toBe('Returns\n\nSend it back within 30 days.');
      expect(await textOf(pdf.id)).toBe('Invoices are due in 45 days.\nPage two: late fees.');
      expect(await textOf(page.id)).toBe('Shipping\n\nParcels leave the warehouse & arrive in 3 days.');
      expect(await textOf(file.id)).toContain('pallet storage');
      expect((await search(owner, { knowledgeBaseIds: [base.id], query: 'late fees invoices', topK: 1 })).items[0].documentId).toBe(pdf.id);
    });

    it('looks a chunk up by id', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const doc = await addText(owner, base.id, 'A single chunk about coffee machines.', { floor: 3 });
      await ready(owner, doc.id);
      const [hit] = (await search(owner, { knowledgeBaseIds: [base.id], query: 'coffee' })).items;
      expect(await call(DocumentContracts.getChunk, { id: hit.chunkId }, owner)).toMatchObject({ id: hit.chunkId, documentId: doc.id, index: 0, content: 'A single chunk about coffee machines.', metadata: { floor: 3 } });
    });

    it('re-embeds after a change of model while search answers from the old vectors, then moves search over', async () => {
      const owner = newUser();
      const base = await newBase(owner, { chunking: { size: 200, overlap: 0 } });
      const doc = await addText(owner, base.id, Array.from({ length: 8 }, (_, i) => `Note ${i} about the billing export schedule.`).join('\n\n'));
      await ready(owner, doc.id);
      // Another replica holds the re-embedding and stalls: nothing moves until its lease runs out.
      await query(databaseUrl, `UPDATE agent.knowledge_bases SET lease_owner = 'stalled', lease_expires_at = now() + interval '1 hour' WHERE id = $1`, [base.id]);
      const changed = await call(KnowledgeBaseContracts.update, { id: base.id, embedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 256 } }, owner);
      expect(changed).toMatchObject({ embedding: { dimensions: 256 }, searchEmbedding: { dimensions: 384 }, reembedding: { status: 'running', done: 0 } });
      const during = await search(owner, { knowledgeBaseIds: [base.id], query: 'billing export', mode: 'vector' });
      expect(during.items.length).toBeGreaterThan(0);

      await query(databaseUrl, `UPDATE agent.knowledge_bases SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [base.id]);
      const after = await until(() => call(KnowledgeBaseContracts.get, { id: base.id }, owner), (b: KnowledgeBaseView) => b.reembedding.status === 'idle', 're-embedding');
      expect(after.searchEmbedding).toEqual({ provider: 'builtin', model: 'hashing-v1', dimensions: 256 });
      const vectors = await query<{ generation: number; n: number }>(databaseUrl, 'SELECT generation, count(*)::int AS n FROM agent.chunk_embeddings WHERE knowledge_base_id = $1 GROUP BY generation', [base.id]);
      expect(vectors).toEqual([{ generation: 2, n: (await call(DocumentContracts.get, { id: doc.id }, owner)).progress.total }]);
      const moved = await search(owner, { knowledgeBaseIds: [base.id], query: 'billing export', mode: 'vector' });
      expect(moved.items.map((h) => h.chunkId).sort()).toEqual(during.items.map((h) => h.chunkId).sort());
    });

    it('a search that read the base just before a re-embedding finished is not answered from the deleted vectors', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const doc = await addText(owner, base.id, 'The cold storage archive is checked every Friday.');
      await ready(owner, doc.id);
      await call(KnowledgeBaseContracts.update, { id: base.id, embedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 128 } }, owner);
      await until(() => call(KnowledgeBaseContracts.get, { id: base.id }, owner), (b: KnowledgeBaseView) => b.reembedding.status === 'idle', 're-embedding');
      // What a search holding the base as it was (generation 1, 384 dimensions) asks the index for.
      const index = service.app.get(InMemoryIndex);
      const [{ index_version: version }] = await query<{ index_version: number }>(databaseUrl, 'SELECT index_version FROM agent.knowledge_bases WHERE id = $1', [base.id]);
      const stale = { id: base.id, generation: 1, dimensions: 384, version: version - 1 };
      await expect(index.nearest(stale, new Float32Array(384), { limit: 5, filter: null })).rejects.toBeInstanceOf(StaleGenerationError);
      // The search itself reads the base anew and answers from the new vectors.
      expect((await search(owner, { knowledgeBaseIds: [base.id], query: 'cold storage archive', mode: 'vector' })).items[0].documentId).toBe(doc.id);
    });

    it('deletes a document, a base, a project and a user with everything in them', async () => {
      const owner = newUser();
      const projectId = randomUUID();
      const [kept, inProject] = [await newBase(owner), await newBase(owner, { projectId })];
      const doc = await addText(owner, kept.id, 'Text about deletion.');
      await ready(owner, doc.id);
      await call(DocumentContracts.delete, { id: doc.id }, owner);
      expect((await search(owner, { knowledgeBaseIds: [kept.id], query: 'deletion' })).items).toEqual([]);
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.chunks WHERE document_id = $1', [doc.id])).toHaveLength(0);

      await deliver(ProjectDeleted.subject, { ownerId: owner.userId, projectId });
      await until(() => query(databaseUrl, 'SELECT 1 FROM agent.knowledge_bases WHERE id = $1', [inProject.id]), (rows) => rows.length === 0, 'project cleanup');
      await addText(owner, kept.id, 'Another text.');
      await deliver(UserDeleted.subject, { userId: owner.userId });
      await until(() => query(databaseUrl, 'SELECT 1 FROM agent.knowledge_bases WHERE owner_id = $1', [owner.userId]), (rows) => rows.length === 0, 'user cleanup');
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.documents WHERE owner_id = $1', [owner.userId])).toHaveLength(0);
    });
  });

  describe('failing', () => {
    it("answers NOT_FOUND for another user's base, document and chunk, everywhere", async () => {
      const [owner, stranger] = [newUser(), newUser()];
      const base = await newBase(owner);
      const doc = await addText(owner, base.id, 'Private text about salaries.');
      await ready(owner, doc.id);
      const [hit] = (await search(owner, { knowledgeBaseIds: [base.id], query: 'salaries' })).items;
      const codes = await Promise.all([
        failure(call(KnowledgeBaseContracts.get, { id: base.id }, stranger)),
        failure(call(KnowledgeBaseContracts.update, { id: base.id, name: 'Mine' }, stranger)),
        failure(call(KnowledgeBaseContracts.delete, { id: base.id }, stranger)),
        failure(addText(stranger, base.id, 'Injected')),
        failure(call(DocumentContracts.list, { knowledgeBaseId: base.id }, stranger)),
        failure(call(DocumentContracts.get, { id: doc.id }, stranger)),
        failure(call(DocumentContracts.delete, { id: doc.id }, stranger)),
        failure(call(DocumentContracts.getChunk, { id: hit.chunkId }, stranger)),
        failure(search(stranger, { knowledgeBaseIds: [base.id], query: 'salaries' })),
        failure(call(KnowledgeSearchContracts.search, { knowledgeBaseIds: [base.id], query: 'salaries', ownerId: owner.userId }, stranger)),
      ]);
      expect(codes.map((c) => c.code)).toEqual(Array(10).fill('NOT_FOUND'));
      expect((await call(KnowledgeBaseRefContracts.findOwned, { ownerId: stranger.userId!, ids: [base.id] }, serviceActor('workflow'))).found).toEqual([]);
      const agent = { name: 'Spy', modelProvider: 'openai' as const, modelName: 'gpt-4o-mini' };
      expect((await failure(call(AgentContracts.create, { ...agent, knowledgeBaseIds: [base.id] }, stranger))).code).toBe('NOT_FOUND');
      const own = await call(AgentContracts.create, agent, stranger);
      expect((await failure(call(AgentContracts.update, { id: own.id, knowledgeBaseIds: [base.id] }, stranger))).code).toBe('NOT_FOUND');
      expect((await call(AgentContracts.create, { ...agent, knowledgeBaseIds: [base.id] }, owner)).knowledgeBaseIds).toEqual([base.id]);
      expect((await failure(call(KnowledgeBaseRefContracts.findOwned, { ownerId: owner.userId!, ids: [base.id] }, stranger))).code).toBe('FORBIDDEN');
    });

    it('refuses bad settings and bad documents, naming the field', async () => {
      const owner = newUser();
      expect(await failure(newBase(owner, { name: undefined }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
      expect(await failure(newBase(owner, { chunking: { size: 200, overlap: 100 } }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['chunking.overlap'] });
      expect(await failure(newBase(owner, { embedding: { provider: 'builtin', model: 'bert', dimensions: 384 } }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['embedding.model'] });
      expect(await failure(newBase(owner, { embedding: { provider: 'builtin', model: 'hashing-v1', dimensions: 5 } }))).toMatchObject({ code: 'VALIDATION_FAILED' });
      const base = await newBase(owner);
      expect(await failure(call(KnowledgeBaseContracts.update, { id: base.id, name: null as unknown as string }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
      expect(await failure(addText(owner, base.id, '   \n  '))).toEqual({ code: 'VALIDATION_FAILED', fields: ['content'] });
      expect((await failure(addText(owner, base.id, 'x'.repeat(20_001)))).code).toBe('PAYLOAD_TOO_LARGE');
      expect(await failure(addText(owner, base.id, 'ok', { blob: 'y'.repeat(17_000) }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['metadata'] });
      const add = (body: Record<string, unknown>) => failure(call(DocumentContracts.add, { knowledgeBaseId: base.id, ...body } as never, owner));
      expect(await add({ source: 'pdf', contentBase64: Buffer.from('not a pdf at all').toString('base64') })).toEqual({ code: 'VALIDATION_FAILED', fields: ['contentBase64'] });
      expect(await add({ source: 'pdf', contentBase64: Buffer.from('%PDF-1.4 broken').toString('base64') })).toEqual({ code: 'VALIDATION_FAILED', fields: ['contentBase64'] });
      expect(await add({ source: 'attachment', attachmentId: randomUUID() })).toEqual({ code: 'VALIDATION_FAILED', fields: ['attachmentId'] });
      const image = randomUUID();
      attachments.set(image, { ownerId: owner.userId!, contentType: 'image/png', bytes: Buffer.from([1, 2, 3]), filename: 'x.png' });
      expect((await add({ source: 'attachment', attachmentId: image })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const foreign = randomUUID();
      attachments.set(foreign, { ownerId: randomUUID(), contentType: 'text/plain', bytes: Buffer.from('not yours'), filename: 'x.txt' });
      expect(await add({ source: 'attachment', attachmentId: foreign })).toEqual({ code: 'VALIDATION_FAILED', fields: ['attachmentId'] });
      expect(await add({ source: 'url', url: `${siteUrl}/missing` })).toEqual({ code: 'VALIDATION_FAILED', fields: ['url'] });
      expect((await add({ source: 'url', url: `${siteUrl}/image.png` })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect((await add({ source: 'url', url: `${siteUrl}/huge.txt` })).code).toBe('PAYLOAD_TOO_LARGE');
      // Only the site's own port is allowed: any other internal address is refused, as http_get refuses it.
      expect(await add({ source: 'url', url: 'http://127.0.0.1:9/secret' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['url'] });
      expect(await add({ source: 'url', url: 'http://169.254.169.254/latest/meta-data' })).toEqual({ code: 'VALIDATION_FAILED', fields: ['url'] });
    });

    it('refuses malformed filters with a 400 naming the path of the part at fault', async () => {
      const owner = newUser();
      const base = await newBase(owner);
      const bad = (filter: Record<string, unknown>) => failure(search(owner, { knowledgeBaseIds: [base.id], query: 'x', filter }));
      expect(await bad({ year: { gtx: 1 } })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.year.gtx'] });
      expect(await bad({ or: [] })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.or'] });
      expect(await bad({ and: [{ tags: ['a'] }] })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.and[0].tags'] });
      expect(await bad({ or: [{ a: 1 }, { year: { gte: 1, lt: 'z' } }] })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.or[1].year.lt'] });
      expect(await bad({ team: { in: [] } })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.team.in'] });
      expect(await bad({ team: { exists: 'yes' } })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.team.exists'] });
      expect(await bad({ "bad'name": 1 })).toEqual({ code: 'VALIDATION_FAILED', fields: ["filter.bad'name"] });
      expect(await bad({ team: {} })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.team'] });
      expect(await bad({ and: [5] })).toEqual({ code: 'VALIDATION_FAILED', fields: ['filter.and[0]'] });
    });
  });
});
