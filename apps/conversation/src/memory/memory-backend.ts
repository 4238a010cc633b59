import type { MemoryMessage } from '#contracts';

/** A message as memory keeps it: enough to rebuild a branch and show it to a model. */
export interface StoredMessage extends MemoryMessage {
  parentId: string | null;
}

export interface StoredSummary {
  content: string;
  throughMessageId: string;
}

/**
 * Where run memory is read from (CONVERSATION_MEMORY_BACKEND). Both backends answer from this
 * service's committed tables, which the message paths write in their own transactions: `sql`
 * reads them on every run, `in_memory` keeps what it read in this process until a commit changes
 * the conversation. Neither keeps a copy of its own that a delete, a restore, a purge or an
 * account deletion could miss, or that a rolled-back transaction could leave behind.
 */
export interface MemoryBackend {
  /** The branch ending at leafId (the current leaf when omitted), root first; null for a conversation the owner does not have. */
  branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null>;
  readSummary(conversationId: string): Promise<StoredSummary | null>;
  writeSummary(conversationId: string, summary: StoredSummary): Promise<void>;
}
