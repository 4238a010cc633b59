import { randomUUID } from 'node:crypto';
import {
  type Actor,
  AgentContracts,
  AppError,
  ConversationContracts,
  type Envelope,
  MemoryContracts,
  type MemoryReply,
  MessageContracts,
  type RpcContract,
  serviceActor,
  UserDeleted,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { AppProcess, createTestDatabase } from '#testing';
import { conversationApp } from '../src/conversation.app.js';
import { InMemoryMemoryBackend } from '../src/memory/in-memory.backend.js';
import { MessagesService } from '../src/messages/messages.service.js';
import { PurgeService } from '../src/purge/purge.service.js';

/**
 * What a run's model is shown, with each memory backend: a message deleted, purged or gone with its
 * account never reaches it again, a restored one does, and a rolled-back write never does. The
 * memory is read once before each change, so a backend that kept what it read would be caught.
 */
describe.each(['sql', 'in_memory'] as const)('the %s memory backend', (backend) => {
  let runtime: Runtime;
  let service: RunningService;
  const execution = serviceActor('execution');
  const agents = new Set<string>();
  let stopAgents: (() => void) | undefined;

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const newConversation = (owner: Actor) => {
    const agentId = randomUUID();
    agents.add(`${owner.userId}:${agentId}`);
    return call(ConversationContracts.create, { agentId }, owner);
  };
  const say = (owner: Actor, id: string, content: string) => call(MessageContracts.add, { id, content }, owner);
  /** The contents the model would see of the current branch, or the error code. */
  const memory = async (owner: Actor, conversationId: string, leafId?: string): Promise<string[] | string> =>
    call(MemoryContracts.get, { ownerId: owner.userId!, conversationId, mode: 'window', ...(leafId ? { leafId } : {}) }, execution).then(
      (reply: MemoryReply) => reply.messages.map((m) => m.content),
      (err: unknown) => (err instanceof AppError ? err.code : String(err)),
    );

  beforeAll(async () => {
    stopAgents = InProcessBus.shared().respond(AgentContracts.get.subject, async (raw) => {
      const { data, actor } = raw as Envelope<{ id: string }>;
      if (!agents.has(`${actor.userId}:${data.id}`)) return { ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } };
      return { ok: true, data: { id: data.id } };
    });
    process.env.CONVERSATION_MEMORY_BACKEND = backend;
    process.env.CONVERSATION_PURGE_INTERVAL_SECONDS = '0';
    const databaseUrl = await createTestDatabase(`memory${backend}`);
    runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false }, `memory-${backend}-spec`);
    service = await startBusService(conversationApp, runtime);
  });

  afterAll(async () => {
    stopAgents?.();
    delete process.env.CONVERSATION_MEMORY_BACKEND;
    delete process.env.CONVERSATION_PURGE_INTERVAL_SECONDS;
    await service?.close();
    await runtime?.close();
  });

  it('no longer shows a deleted message to the model, shows it again once restored, and follows another branch', async () => {
    const owner = newUser();
    const c = await newConversation(owner);
    await say(owner, c.id, 'first');
    const second = await say(owner, c.id, 'secret second');
    const third = await say(owner, c.id, 'third');
    expect(await memory(owner, c.id)).toEqual(['first', 'secret second', 'third']);
    expect(await memory(owner, c.id, third.id)).toEqual(['first', 'secret second', 'third']);

    await call(MessageContracts.delete, { id: second.id }, owner);
    expect(await memory(owner, c.id)).toEqual(['first']);
    // A run that still names the deleted leaf gets nothing of it.
    expect(await memory(owner, c.id, third.id)).toBe('VALIDATION_FAILED');

    await call(MessageContracts.restore, { id: second.id }, owner);
    // Restoring does not move the shown branch; the restored one is there to show again.
    expect(await memory(owner, c.id)).toEqual(['first']);
    await call(MessageContracts.switchBranch, { id: c.id, leafId: third.id }, owner);
    expect(await memory(owner, c.id)).toEqual(['first', 'secret second', 'third']);

    const edited = await call(MessageContracts.edit, { id: second.id, content: 'edited second' }, owner);
    expect(await memory(owner, c.id)).toEqual(['first', 'edited second']);
    await call(MessageContracts.switchBranch, { id: c.id, leafId: second.id }, owner);
    expect(await memory(owner, c.id)).toEqual(['first', 'secret second', 'third']);
    await call(MessageContracts.switchBranch, { id: c.id, leafId: edited.id }, owner);
    expect(await memory(owner, c.id)).toEqual(['first', 'edited second']);
  });

  it('forgets a deleted conversation, a purged one, and every conversation of a deleted account', async () => {
    const owner = newUser();
    const other = newUser();
    const [a, b] = [await newConversation(owner), await newConversation(owner)];
    const kept = await newConversation(other);
    await say(owner, a.id, 'in a');
    await say(owner, b.id, 'in b');
    await say(other, kept.id, 'not theirs to lose');
    expect(await memory(owner, a.id)).toEqual(['in a']);
    expect(await memory(owner, b.id)).toEqual(['in b']);
    expect(await memory(other, kept.id)).toEqual(['not theirs to lose']);

    await call(ConversationContracts.delete, { id: a.id }, owner);
    expect(await memory(owner, a.id)).toBe('NOT_FOUND');
    await call(ConversationContracts.restore, { id: a.id }, owner);
    expect(await memory(owner, a.id)).toEqual(['in a']);
    await call(ConversationContracts.delete, { id: a.id }, owner);
    await service.app.get(PurgeService).purge(new Date(Date.now() + 400 * 86_400_000));
    expect(await memory(owner, a.id)).toBe('NOT_FOUND');

    await InProcessBus.shared().publish({ id: randomUUID(), subject: UserDeleted.subject, occurredAt: new Date().toISOString(), data: { userId: owner.userId } });
    expect(await memory(owner, b.id)).toBe('NOT_FOUND');
    expect(await memory(other, kept.id)).toEqual(['not theirs to lose']);
    if (backend === 'in_memory') {
      // Nothing of the deleted account stays in this process; the other user's conversation does.
      const held = service.app.get(InMemoryMemoryBackend);
      expect([held.holds(a.id), held.holds(b.id), held.holds(kept.id)]).toEqual([false, false, true]);
    }
  });

  it('never shows a message whose transaction rolled back', async () => {
    const owner = newUser();
    const c = await newConversation(owner);
    await say(owner, c.id, 'committed');
    expect(await memory(owner, c.id)).toEqual(['committed']);
    const messages = service.app.get(MessagesService);
    const draft = { role: 'user' as const, content: 'phantom', toolCalls: null, toolCallId: null, runId: null, step: null, model: null, tokenUsage: null, costMicros: 0, metadata: {} };
    await expect(
      service.database.transaction(async () => {
        await messages.append(owner.userId!, c.id, undefined, [draft], owner);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect(await memory(owner, c.id)).toEqual(['committed']);
    await say(owner, c.id, 'next');
    expect(await memory(owner, c.id)).toEqual(['committed', 'next']);
  });
});

describe('the in_memory memory backend outside single-process mode', () => {
  it('stops a conversation service of its own at start-up, naming the setting (exit 78)', async () => {
    const app = AppProcess.forApp('conversation', { CONVERSATION_MEMORY_BACKEND: 'in_memory', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', NATS_URL: 'nats://127.0.0.1:1' }).start();
    const deadline = Date.now() + 30_000;
    while (app.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (app.running) await app.kill();
    expect(app.exitCode).toBe(78);
    expect(app.output).toContain('CONVERSATION_MEMORY_BACKEND=in_memory is allowed only in single-process mode');
  });
});
