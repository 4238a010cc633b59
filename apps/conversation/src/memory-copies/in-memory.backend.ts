import type { MemoryBackend, StoredMessage, StoredSummary } from './memory-backend.js';

interface ConversationMemory {
  ownerId: string;
  messages: Map<string, StoredMessage>;
  leafId: string | null;
  summary: StoredSummary | null;
}

/** Branch walk over a message map, shared by the in-memory and file backends. */
export function walkBranch(messages: Map<string, StoredMessage>, leafId: string | null): StoredMessage[] {
  const branch: StoredMessage[] = [];
  let at = leafId === null ? undefined : messages.get(leafId);
  while (at !== undefined && branch.length <= messages.size) {
    branch.push(at);
    at = at.parentId === null ? undefined : messages.get(at.parentId);
  }
  return branch.reverse();
}

/** Memory in this process only: gone on restart. For single-process development and tests. */
export class InMemoryBackend implements MemoryBackend {
  private readonly conversations = new Map<string, ConversationMemory>();

  async branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null> {
    const memory = this.conversations.get(conversationId);
    if (!memory || memory.ownerId !== ownerId) return null;
    return walkBranch(memory.messages, leafId ?? memory.leafId);
  }

  async record(ownerId: string, conversationId: string, message: StoredMessage): Promise<void> {
    let memory = this.conversations.get(conversationId);
    if (!memory) {
      memory = { ownerId, messages: new Map(), leafId: null, summary: null };
      this.conversations.set(conversationId, memory);
    }
    memory.messages.set(message.id, { ...message });
    memory.leafId = message.id;
  }

  async readSummary(conversationId: string): Promise<StoredSummary | null> {
    return this.conversations.get(conversationId)?.summary ?? null;
  }

  async writeSummary(conversationId: string, summary: StoredSummary): Promise<void> {
    const memory = this.conversations.get(conversationId);
    if (memory) memory.summary = { ...summary };
  }
}
