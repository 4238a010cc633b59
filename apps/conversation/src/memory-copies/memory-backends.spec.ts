import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBackend } from './file.backend.js';
import { InMemoryBackend } from './in-memory.backend.js';
import type { MemoryBackend, StoredMessage } from './memory-backend.js';

const message = (id: string, parentId: string | null, content: string, role: StoredMessage['role'] = 'user'): StoredMessage => ({
  id,
  parentId,
  role,
  content,
  toolCalls: null,
  toolCallId: null,
});

describe.each([
  ['in_memory', async () => ({ backend: new InMemoryBackend() as MemoryBackend, cleanup: async () => {} })],
  [
    'file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'memory-'));
      return { backend: new FileBackend(dir) as MemoryBackend, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
])('%s memory backend', (_name, make) => {
  let backend: MemoryBackend;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ backend, cleanup } = await make());
  });

  afterEach(async () => {
    await cleanup();
  });

  it('rebuilds the current branch and any other branch by its leaf', async () => {
    const owner = randomUUID();
    const conversation = randomUUID();
    await backend.record(owner, conversation, message('a', null, 'q1'));
    await backend.record(owner, conversation, message('b', 'a', 'a1', 'assistant'));
    await backend.record(owner, conversation, message('c', 'b', 'q2'));
    await backend.record(owner, conversation, message('d', 'b', 'q2 edited'));
    expect((await backend.branch(owner, conversation))?.map((m) => m.id)).toEqual(['a', 'b', 'd']);
    expect((await backend.branch(owner, conversation, 'c'))?.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it("answers null for an unknown conversation or another owner's", async () => {
    const owner = randomUUID();
    const conversation = randomUUID();
    await backend.record(owner, conversation, message('a', null, 'q1'));
    expect(await backend.branch(owner, randomUUID())).toBeNull();
    expect(await backend.branch(randomUUID(), conversation)).toBeNull();
  });

  it('stores and replaces the rolling summary', async () => {
    const owner = randomUUID();
    const conversation = randomUUID();
    await backend.record(owner, conversation, message('a', null, 'q1'));
    expect(await backend.readSummary(conversation)).toBeNull();
    await backend.writeSummary(conversation, { content: 'first', throughMessageId: 'a' });
    await backend.writeSummary(conversation, { content: 'second', throughMessageId: 'a' });
    expect(await backend.readSummary(conversation)).toEqual({ content: 'second', throughMessageId: 'a' });
  });
});
