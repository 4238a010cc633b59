import { createHash, randomUUID } from 'node:crypto';
import {
  AccountContracts,
  type Actor,
  AgentContracts,
  AgentDeleted,
  AppError,
  AttachmentContracts,
  ConversationContracts,
  type ConversationView,
  type CreateConversationRequest,
  type Envelope,
  MemoryContracts,
  MessageContracts,
  type RpcContract,
  RunWriteContracts,
  SearchContracts,
  serviceActor,
  UserDeleted,
  WorkflowContracts,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query } from '#testing';
import { conversationApp } from '../src/conversation.app.js';
import { PurgeService } from '../src/purge/purge.service.js';

/** The conversation service against the real PostgreSQL, called through the in-process bus as the gateway calls it. */
describe('conversation service', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;

  const execution = serviceActor('execution');
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
  const outboxSubjects = async (conversationId: string) =>
    (await query<{ subject: string }>(databaseUrl, `SELECT subject FROM conversation.outbox WHERE envelope->'data'->>'conversationId' = $1 ORDER BY id`, [conversationId])).map(
      (r) => r.subject,
    );

  /**
   * Agents and projects belong to services this spec does not run: stand-ins answer
   * agent.agents.get and identity.projects.get on the real in-process bus, owning every id the
   * caller registered here and nothing else.
   */
  const agentsOf = new Map<string, Set<string>>();
  const stopResponders: Array<() => void> = [];
  const agentFor = (actor: Actor): string => {
    const id = randomUUID();
    if (!agentsOf.has(actor.userId!)) agentsOf.set(actor.userId!, new Set());
    agentsOf.get(actor.userId!)!.add(id);
    return id;
  };
  const workflowsOf = new Map<string, Set<string>>();
  const workflowFor = (actor: Actor): string => {
    const id = randomUUID();
    if (!workflowsOf.has(actor.userId!)) workflowsOf.set(actor.userId!, new Set());
    workflowsOf.get(actor.userId!)!.add(id);
    return id;
  };
  const createConversation = (actor: Actor, overrides: Partial<CreateConversationRequest> = {}): Promise<ConversationView> =>
    call(ConversationContracts.create, { agentId: agentFor(actor), ...overrides }, actor);
  const say = (actor: Actor, id: string, content: string, parentId?: string) => call(MessageContracts.add, { id, content, ...(parentId ? { parentId } : {}) }, actor);

  beforeAll(async () => {
    stopResponders.push(
      InProcessBus.shared().respond(AgentContracts.get.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ id: string }>;
        if (!agentsOf.get(actor.userId ?? '')?.has(data.id)) return { ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } };
        return { ok: true, data: { id: data.id } };
      }),
      InProcessBus.shared().respond(WorkflowContracts.get.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ id: string }>;
        if (!workflowsOf.get(actor.userId ?? '')?.has(data.id)) return { ok: false, error: { code: 'NOT_FOUND', message: 'workflow not found' } };
        return { ok: true, data: { id: data.id } };
      }),
      InProcessBus.shared().respond(AccountContracts.getProject.subject, async (raw) => {
        const { data } = raw as Envelope<{ id: string }>;
        return data.id.startsWith('0') ? { ok: false, error: { code: 'NOT_FOUND', message: 'project not found' } } : { ok: true, data: { id: data.id } };
      }),
    );
    Object.assign(process.env, {
      CONVERSATION_MAX_MESSAGE_CHARS: '2000',
      CONVERSATION_ATTACHMENT_MAX_BYTES: '1024',
      CONVERSATION_PURGE_INTERVAL_SECONDS: '0',
    });
    databaseUrl = await createTestDatabase('conversation');
    const config = { ...loadConfig({}), databaseUrl, outboxRelay: false };
    runtime = await Runtime.create(config, 'conversation-spec');
    service = await startBusService(conversationApp, runtime);
  });

  afterAll(async () => {
    for (const stop of stopResponders) stop();
    for (const name of ['CONVERSATION_MAX_MESSAGE_CHARS', 'CONVERSATION_ATTACHMENT_MAX_BYTES', 'CONVERSATION_PURGE_INTERVAL_SECONDS']) delete process.env[name];
    await service?.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('creates a conversation with its event, titles it from the first user message and keeps the title after', async () => {
      const owner = newUser();
      const created = await createConversation(owner, { metadata: { source: 'spec' }, sessionContext: { locale: 'en' } });
      expect(created).toMatchObject({ title: null, isArchived: false, currentLeafId: null, metadata: { source: 'spec' }, sessionContext: { locale: 'en' } });
      expect(created.totals).toEqual({ messages: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 });
      await say(owner, created.id, '  How do I   reset\nmy router to factory settings without losing the configuration I spent all weekend on?');
      await say(owner, created.id, 'Second question');
      const after = await call(ConversationContracts.get, { id: created.id }, owner);
      expect(after.title).toBe('How do I reset my router to factory settings without losing the configuration…');
      expect(after.totals.messages).toBe(2);
      expect(after.lastMessageAt).not.toBeNull();
      const renamed = await call(ConversationContracts.update, { id: created.id, title: 'Router', isArchived: true }, owner);
      expect(renamed).toMatchObject({ title: 'Router', isArchived: true });
      expect(await outboxSubjects(created.id)).toEqual(['events.conversation.conversation.created', 'events.conversation.message.created', 'events.conversation.message.created']);
    });

    it('keeps messages as a tree: edit branches, the new branch is current, ?leaf= and switch show the other', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const q1 = await say(owner, c.id, 'first question');
      const run = await call(
        RunWriteContracts.appendMessages,
        { ownerId: owner.userId!, conversationId: c.id, runId: randomUUID(), messages: [{ step: 1, role: 'assistant', content: 'first answer', model: 'gpt-4o-mini' }] },
        execution,
      );
      const a1 = run.items[0];
      const q2 = await say(owner, c.id, 'follow-up');
      expect(q2.parentId).toBe(a1.id);
      const edited = await call(MessageContracts.edit, { id: q2.id, content: 'better follow-up' }, owner);
      expect(edited.parentId).toBe(a1.id);
      const current = await call(MessageContracts.list, { id: c.id }, owner);
      expect(current.items.map((m) => m.content)).toEqual(['first question', 'first answer', 'better follow-up']);
      const old = await call(MessageContracts.list, { id: c.id, leaf: q2.id }, owner);
      expect(old.items.map((m) => m.content)).toEqual(['first question', 'first answer', 'follow-up']);
      const tree = await call(MessageContracts.tree, { id: c.id }, owner);
      expect(tree.currentLeafId).toBe(edited.id);
      expect(tree.nodes.map((n) => [n.id, n.parentId])).toEqual([
        [q1.id, null],
        [a1.id, q1.id],
        [q2.id, a1.id],
        [edited.id, a1.id],
      ]);
      const switched = await call(MessageContracts.switchBranch, { id: c.id, leafId: q2.id }, owner);
      expect(switched.leafId).toBe(q2.id);
      expect((await call(ConversationContracts.get, { id: c.id }, owner)).currentLeafId).toBe(q2.id);
      // Switching to a message in the middle shows the newest leaf below it.
      expect((await call(MessageContracts.switchBranch, { id: c.id, leafId: a1.id }, owner)).leafId).toBe(edited.id);
    });

    it('pages a long branch from the leaf towards the root by cursor', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await say(owner, c.id, `m${i}`)).id);
      const first = await call(MessageContracts.list, { id: c.id, limit: 2 }, owner);
      expect(first.items.map((m) => m.id)).toEqual(ids.slice(3));
      const second = await call(MessageContracts.list, { id: c.id, limit: 2, cursor: first.nextCursor! }, owner);
      expect(second.items.map((m) => m.id)).toEqual(ids.slice(1, 3));
      const last = await call(MessageContracts.list, { id: c.id, limit: 2, cursor: second.nextCursor! }, owner);
      expect(last).toMatchObject({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
      expect((await call(MessageContracts.list, { id: c.id }, owner)).items).toHaveLength(5);
    });

    it('ends a page at about 512 KiB of content so a reply fits one bus message', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const big = 'y'.repeat(300_000);
      const messages = [1, 2, 3].map((step) => ({ step, role: 'assistant' as const, content: big }));
      await call(RunWriteContracts.appendMessages, { ownerId: owner.userId!, conversationId: c.id, runId: randomUUID(), messages }, execution);
      const page = await call(MessageContracts.list, { id: c.id }, owner);
      expect(page.items).toHaveLength(1);
      expect(page.nextCursor).not.toBeNull();
    });

    it('keeps run writes idempotent on (run, step), with tool calls, usage, cost and totals', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const runId = randomUUID();
      const user = { ownerId: owner.userId!, conversationId: c.id, runId, step: 0, content: 'What is the weather?' };
      const u1 = await call(RunWriteContracts.appendUserMessage, user, execution);
      const u2 = await call(RunWriteContracts.appendUserMessage, user, execution);
      expect(u2.id).toBe(u1.id);
      const results = {
        ownerId: owner.userId!,
        conversationId: c.id,
        runId,
        messages: [
          { step: 1, role: 'assistant' as const, content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }], model: 'gpt-4o', tokenUsage: { prompt: 100, completion: 20, total: 120 }, costMicros: 300 },
          { step: 2, role: 'tool' as const, content: '{"temp":3}', toolCallId: 'call_1' },
          { step: 3, role: 'assistant' as const, content: 'It is 3 degrees in Oslo.', model: 'gpt-4o', tokenUsage: { prompt: 150, completion: 10, total: 160 }, costMicros: 400 },
        ],
      };
      const first = await call(RunWriteContracts.appendMessages, results, execution);
      const retry = await call(RunWriteContracts.appendMessages, results, execution);
      expect(retry.items.map((m) => m.id)).toEqual(first.items.map((m) => m.id));
      expect(first.items[0]).toMatchObject({ parentId: u1.id, toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }], tokenUsage: { prompt: 100, completion: 20, total: 120 } });
      expect(first.items[1]).toMatchObject({ role: 'tool', toolCallId: 'call_1', parentId: first.items[0].id });
      const after = await call(ConversationContracts.get, { id: c.id }, owner);
      expect(after.totals).toEqual({ messages: 4, promptTokens: 250, completionTokens: 30, totalTokens: 280, costMicros: 700 });
      expect(after.currentLeafId).toBe(first.items[2].id);
      expect((await query(databaseUrl, 'SELECT 1 FROM conversation.messages WHERE run_id = $1', [runId])).length).toBe(4);
      expect((await outboxSubjects(c.id)).filter((s) => s === 'events.conversation.message.created')).toHaveLength(4);
    });

    it('gives runs a window of the branch within a token budget, or a summary and what follows it', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await say(owner, c.id, `message ${i} ${'x'.repeat(400)}`)).id);
      const window = await call(MemoryContracts.get, { ownerId: owner.userId!, conversationId: c.id, mode: 'window', maxMessages: 10, maxTokens: 250 }, execution);
      expect(window.messages.map((m) => m.id)).toEqual(ids.slice(4));
      expect(window.truncated).toBe(true);
      expect(window.estimatedTokens).toBeLessThanOrEqual(250);
      await call(MemoryContracts.writeSummary, { ownerId: owner.userId!, conversationId: c.id, summary: 'The user sent four long messages.', throughMessageId: ids[3] }, execution);
      const summary = await call(MemoryContracts.get, { ownerId: owner.userId!, conversationId: c.id, mode: 'summary', maxMessages: 10, maxTokens: 10_000 }, execution);
      expect(summary.summary).toBe('The user sent four long messages.');
      expect(summary.messages.map((m) => m.id)).toEqual(ids.slice(4));
    });

    it('soft-deletes and restores conversations and messages, fixing totals and the current leaf, and purges after retention', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const m1 = await say(owner, c.id, 'keep me');
      const m2 = await say(owner, c.id, 'delete me');
      await say(owner, c.id, 'and my child');
      await call(MessageContracts.delete, { id: m2.id }, owner);
      let now = await call(ConversationContracts.get, { id: c.id }, owner);
      expect(now).toMatchObject({ currentLeafId: m1.id, totals: expect.objectContaining({ messages: 1 }) });
      expect((await call(MessageContracts.list, { id: c.id }, owner)).items.map((m) => m.id)).toEqual([m1.id]);
      await call(MessageContracts.restore, { id: m2.id }, owner);
      now = await call(ConversationContracts.get, { id: c.id }, owner);
      expect(now.totals.messages).toBe(3);

      await call(ConversationContracts.delete, { id: c.id }, owner);
      expect(await failure(call(ConversationContracts.get, { id: c.id }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(call(MessageContracts.list, { id: c.id }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect((await call(ConversationContracts.list, {}, owner)).items).toEqual([]);
      expect((await call(ConversationContracts.restore, { id: c.id }, owner)).deletedAt).toBeNull();
      expect(await outboxSubjects(c.id)).toEqual(expect.arrayContaining(['events.conversation.conversation.deleted', 'events.conversation.conversation.restored']));

      await call(ConversationContracts.delete, { id: c.id }, owner);
      const purge = service.app.get(PurgeService);
      expect((await purge.purge(new Date())).conversations).toBe(0);
      const later = await purge.purge(new Date(Date.now() + 31 * 86_400_000));
      expect(later.conversations).toBeGreaterThanOrEqual(1);
      expect(await query(databaseUrl, 'SELECT 1 FROM conversation.messages WHERE conversation_id = $1', [c.id])).toHaveLength(0);
    });

    it('lists newest activity first with filters and pages by cursor', async () => {
      const owner = newUser();
      const agent = agentFor(owner);
      const a = await call(ConversationContracts.create, { agentId: agent }, owner);
      const b = await call(ConversationContracts.create, { workflowId: workflowFor(owner) }, owner);
      const d = await call(ConversationContracts.create, { agentId: agent }, owner);
      await say(owner, a.id, 'a is the most recent now');
      const page1 = await call(ConversationContracts.list, { limit: 2 }, owner);
      expect(page1.items.map((x) => x.id)).toEqual([a.id, d.id]);
      const page2 = await call(ConversationContracts.list, { limit: 2, cursor: page1.nextCursor! }, owner);
      expect(page2).toEqual({ items: [expect.objectContaining({ id: b.id })], nextCursor: null });
      expect((await call(ConversationContracts.list, { agentId: agent }, owner)).items.map((x) => x.id)).toEqual([a.id, d.id]);
      await call(ConversationContracts.update, { id: d.id, isArchived: true }, owner);
      expect((await call(ConversationContracts.list, { archived: 'true' }, owner)).items.map((x) => x.id)).toEqual([d.id]);
    });

    it("searches the caller's live messages with web-search syntax, ranked, with a safe highlighted snippet and filters", async () => {
      const owner = newUser();
      const stranger = newUser();
      const c = await createConversation(owner, { title: 'Networking' });
      const other = await createConversation(owner);
      const hit = await say(owner, c.id, 'My <b>router</b> keeps dropping the wifi connection every evening');
      await say(owner, c.id, 'The router firmware is up to date');
      await say(owner, other.id, 'Cooking pasta tonight');
      const gone = await say(owner, other.id, 'router in a deleted message');
      await call(MessageContracts.delete, { id: gone.id }, owner);
      await say(stranger, (await createConversation(stranger)).id, 'router of a stranger');

      const results = await call(SearchContracts.messages, { q: 'router wifi' }, owner);
      expect(results.items.map((r) => r.messageId)).toEqual([hit.id]);
      expect(results.items[0]).toMatchObject({ conversationId: c.id, conversationTitle: 'Networking', role: 'user' });
      expect(results.items[0].snippet).toContain('<mark>router</mark>&lt;/b&gt;');
      expect(results.items[0].snippet).not.toContain('<b>');
      expect((await call(SearchContracts.messages, { q: 'router -firmware' }, owner)).items.map((r) => r.messageId)).toEqual([hit.id]);
      expect((await call(SearchContracts.messages, { q: '"firmware is up"' }, owner)).items).toHaveLength(1);
      expect((await call(SearchContracts.messages, { q: 'pasta or wifi' }, owner)).items).toHaveLength(2);
      expect((await call(SearchContracts.messages, { q: 'router', agentId: randomUUID() }, owner)).items).toEqual([]);
      expect((await call(SearchContracts.messages, { q: 'router', to: '2000-01-01T00:00:00Z' }, owner)).items).toEqual([]);
      expect((await call(SearchContracts.messages, { q: 'router' }, owner)).items).toHaveLength(2);
    });

    it('stores attachments in PostgreSQL with their sha256 and gives the bytes back to the owner', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const bytes = Buffer.from('hello attachment');
      const uploaded = await call(AttachmentContracts.upload, { id: c.id, filename: '../../evil\n.txt', contentType: 'text/plain', contentBase64: bytes.toString('base64') }, owner);
      expect(uploaded).toMatchObject({ filename: 'evil_.txt', contentType: 'text/plain', sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      // In the database every replica reads, not on one replica's disk.
      const [stored] = await query(databaseUrl, 'SELECT bytes FROM conversation.attachment_contents WHERE attachment_id = $1', [uploaded.id]);
      expect(Buffer.from(stored.bytes as Buffer).equals(bytes)).toBe(true);
      const back = await call(AttachmentContracts.download, { id: uploaded.id }, owner);
      expect(Buffer.from(back.contentBase64, 'base64').equals(bytes)).toBe(true);
    });

    it('removes everything of a deleted user, attachment bytes included, and leaves other users alone', async () => {
      const owner = newUser();
      const kept = newUser();
      const c = await createConversation(owner);
      await say(owner, c.id, 'bye');
      await call(AttachmentContracts.upload, { id: c.id, filename: 'a.txt', contentType: 'text/plain', contentBase64: Buffer.from('a').toString('base64') }, owner);
      const keep = await createConversation(kept);
      await deliver(UserDeleted.subject, { userId: owner.userId });
      expect(await query(databaseUrl, 'SELECT 1 FROM conversation.conversations WHERE owner_id = $1', [owner.userId])).toHaveLength(0);
      expect(await query(databaseUrl, 'SELECT 1 FROM conversation.messages WHERE owner_id = $1', [owner.userId])).toHaveLength(0);
      expect(await query(databaseUrl, 'SELECT 1 FROM conversation.attachments WHERE owner_id = $1', [owner.userId])).toHaveLength(0);
      expect(await query(databaseUrl, 'SELECT 1 FROM conversation.attachment_contents c JOIN conversation.attachments a ON a.id = c.attachment_id WHERE a.owner_id = $1', [owner.userId])).toHaveLength(0);
      expect((await call(ConversationContracts.get, { id: keep.id }, kept)).id).toBe(keep.id);
    });

    it("archives a deleted agent's conversations without losing them", async () => {
      const owner = newUser();
      const agentId = agentFor(owner);
      const c = await call(ConversationContracts.create, { agentId }, owner);
      await say(owner, c.id, 'still here');
      await deliver(AgentDeleted.subject, { agentId, ownerId: owner.userId, version: 1 });
      const after = await call(ConversationContracts.get, { id: c.id }, owner);
      expect(after).toMatchObject({ isArchived: true, totals: expect.objectContaining({ messages: 1 }) });
    });
  });

  describe('failing', () => {
    it('both or neither of agentId and workflowId -> 400 naming agentId', async () => {
      const owner = newUser();
      expect(await failure(call(ConversationContracts.create, {}, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['agentId'] });
      expect(await failure(call(ConversationContracts.create, { agentId: agentFor(owner), workflowId: randomUUID() }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['agentId'] });
    });

    it("an agent that is not the caller's -> 404 naming agentId; a project that is not -> 400 naming projectId", async () => {
      const owner = newUser();
      const stranger = newUser();
      const refused = await call(ConversationContracts.create, { agentId: agentFor(stranger) }, owner).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'NOT_FOUND', details: { field: 'agentId' } });
      expect(await failure(call(ConversationContracts.create, { agentId: agentFor(owner), projectId: `0${randomUUID().slice(1)}` }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['projectId'] });
    });

    it('an empty, blank or oversized message -> 400 naming content', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      expect(await failure(say(owner, c.id, ''))).toEqual({ code: 'VALIDATION_FAILED', fields: ['content'] });
      expect(await failure(say(owner, c.id, ' \n\t '))).toEqual({ code: 'VALIDATION_FAILED', fields: ['content'] });
      expect(await failure(say(owner, c.id, 'x'.repeat(2001)))).toEqual({ code: 'VALIDATION_FAILED', fields: ['content'] });
      expect((await call(ConversationContracts.get, { id: c.id }, owner)).totals.messages).toBe(0);
    });

    it('a parent from another conversation -> 400 naming parentId', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const other = await createConversation(owner);
      const foreign = await say(owner, other.id, 'elsewhere');
      expect(await failure(say(owner, c.id, 'hi', foreign.id))).toEqual({ code: 'VALIDATION_FAILED', fields: ['parentId'] });
      expect(await failure(call(MessageContracts.list, { id: c.id, leaf: foreign.id }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['leaf'] });
      expect(await failure(call(MessageContracts.switchBranch, { id: c.id, leafId: foreign.id }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['leafId'] });
    });

    it('an edit of an assistant message -> 400 naming id', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      await say(owner, c.id, 'q');
      const [answer] = (await call(RunWriteContracts.appendMessages, { ownerId: owner.userId!, conversationId: c.id, runId: randomUUID(), messages: [{ step: 1, role: 'assistant', content: 'a' }] }, execution)).items;
      expect(await failure(call(MessageContracts.edit, { id: answer.id, content: 'rewritten' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['id'] });
    });

    it('an empty, all-stopword, too long or too many-worded search -> 400 naming q', async () => {
      const owner = newUser();
      for (const q of ['', '   ', 'the and of', '- " or', 'x'.repeat(501), Array.from({ length: 40 }, (_, i) => `w${i}`).join(' or ')]) {
        expect(await failure(call(SearchContracts.messages, { q }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['q'] });
      }
    });

    it('an attachment over the limit -> PAYLOAD_TOO_LARGE; of a refused type -> UNSUPPORTED_MEDIA_TYPE', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      expect(await failure(call(AttachmentContracts.upload, { id: c.id, filename: 'big.txt', contentType: 'text/plain', contentBase64: Buffer.alloc(1025).toString('base64') }, owner))).toEqual({
        code: 'PAYLOAD_TOO_LARGE',
        fields: [],
      });
      expect(await failure(call(AttachmentContracts.upload, { id: c.id, filename: 'page.html', contentType: 'text/html', contentBase64: Buffer.from('<p>').toString('base64') }, owner))).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        fields: [],
      });
    });

    it('writes and memory from anyone but the execution service -> FORBIDDEN', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      for (const actor of [owner, serviceActor('agent')]) {
        expect(await failure(call(RunWriteContracts.appendUserMessage, { ownerId: owner.userId!, conversationId: c.id, runId: randomUUID(), step: 0, content: 'x' }, actor))).toEqual({ code: 'FORBIDDEN', fields: [] });
        expect(await failure(call(MemoryContracts.get, { ownerId: owner.userId!, conversationId: c.id, mode: 'window' }, actor))).toEqual({ code: 'FORBIDDEN', fields: [] });
      }
    });

    it("another user's conversation, message or attachment is not found on every operation", async () => {
      const owner = newUser();
      const stranger = newUser();
      const c = await createConversation(owner);
      const m = await say(owner, c.id, 'private');
      const file = await call(AttachmentContracts.upload, { id: c.id, filename: 'a.txt', contentType: 'text/plain', contentBase64: 'YQ==' }, owner);
      const id = c.id;
      const attempts: Array<() => Promise<unknown>> = [
        () => call(ConversationContracts.get, { id }, stranger),
        () => call(ConversationContracts.update, { id, title: 'mine' }, stranger),
        () => call(ConversationContracts.delete, { id }, stranger),
        () => call(ConversationContracts.restore, { id }, stranger),
        () => call(MessageContracts.list, { id }, stranger),
        () => call(MessageContracts.tree, { id }, stranger),
        () => call(MessageContracts.add, { id, content: 'hi' }, stranger),
        () => call(MessageContracts.switchBranch, { id, leafId: m.id }, stranger),
        () => call(MessageContracts.edit, { id: m.id, content: 'hi' }, stranger),
        () => call(MessageContracts.delete, { id: m.id }, stranger),
        () => call(MessageContracts.restore, { id: m.id }, stranger),
        () => call(AttachmentContracts.upload, { id, filename: 'b.txt', contentType: 'text/plain', contentBase64: 'YQ==' }, stranger),
        () => call(AttachmentContracts.download, { id: file.id }, stranger),
        () => call(RunWriteContracts.appendUserMessage, { ownerId: stranger.userId!, conversationId: id, runId: randomUUID(), step: 0, content: 'x' }, execution),
        () => call(MemoryContracts.get, { ownerId: stranger.userId!, conversationId: id, mode: 'window' }, execution),
      ];
      for (const attempt of attempts) expect(await failure(attempt())).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect((await call(SearchContracts.messages, { q: 'private' }, stranger)).items).toEqual([]);
    });

    it('metadata or sessionContext over 8 KiB of JSON -> 400 naming the field', async () => {
      const owner = newUser();
      expect(await failure(createConversation(owner, { metadata: { blob: 'x'.repeat(9000) } }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['metadata'] });
      const c = await createConversation(owner);
      expect(await failure(call(ConversationContracts.update, { id: c.id, sessionContext: { blob: 'x'.repeat(9000) } }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['sessionContext'] });
    });

    it('a sessionId another conversation of the same user already has -> CONFLICT; another user may use it', async () => {
      const owner = newUser();
      const sessionId = randomUUID();
      await createConversation(owner, { sessionId });
      expect(await failure(createConversation(owner, { sessionId }))).toEqual({ code: 'CONFLICT', fields: [] });
      const other = newUser();
      expect((await createConversation(other, { sessionId })).sessionId).toBe(sessionId);
    });

    it("a workflow that is not the caller's, or none at all -> NOT_FOUND", async () => {
      const owner = newUser();
      const theirs = workflowFor(newUser());
      expect(await failure(call(ConversationContracts.create, { workflowId: theirs }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(call(ConversationContracts.create, { workflowId: randomUUID() }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect((await call(ConversationContracts.list, {}, owner)).items).toEqual([]);
    });

    it('restoring a message whose parent is still deleted -> CONFLICT, and a bad cursor -> 400 naming cursor', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const parent = await say(owner, c.id, 'parent');
      const child = await say(owner, c.id, 'child');
      await call(MessageContracts.delete, { id: child.id }, owner);
      await call(MessageContracts.delete, { id: parent.id }, owner);
      expect(await failure(call(MessageContracts.restore, { id: child.id }, owner))).toEqual({ code: 'CONFLICT', fields: [] });
      expect(await failure(call(ConversationContracts.list, { cursor: 'bm90LWEtY3Vyc29y' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cursor'] });
      expect(await failure(call(SearchContracts.messages, { q: 'parent', cursor: 'bm90LWEtY3Vyc29y' }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cursor'] });
    });

    it('deleted items answer 404 until restored', async () => {
      const owner = newUser();
      const c = await createConversation(owner);
      const m = await say(owner, c.id, 'soon gone');
      const file = await call(AttachmentContracts.upload, { id: c.id, filename: 'a.txt', contentType: 'text/plain', contentBase64: 'YQ==' }, owner);
      await call(MessageContracts.delete, { id: m.id }, owner);
      expect(await failure(call(MessageContracts.edit, { id: m.id, content: 'x' }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(call(MessageContracts.delete, { id: m.id }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      await call(MessageContracts.restore, { id: m.id }, owner);
      expect(await failure(call(MessageContracts.restore, { id: m.id }, owner))).toEqual({ code: 'CONFLICT', fields: [] });
      await call(ConversationContracts.delete, { id: c.id }, owner);
      expect(await failure(call(AttachmentContracts.download, { id: file.id }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(call(MessageContracts.edit, { id: m.id, content: 'x' }, owner))).toEqual({ code: 'NOT_FOUND', fields: [] });
      await call(ConversationContracts.restore, { id: c.id }, owner);
      expect((await call(AttachmentContracts.download, { id: file.id }, owner)).id).toBe(file.id);
    });
  });
});
