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
 * Where run memory lives (seed 000: sql, file, in_memory). The sql backend is this service's own
 * tables, written by the message paths (memory/sql.backend.ts); the file and in_memory backends
 * keep their own copy, fed through record(), for single-process use without the conversation tables.
 */
export interface MemoryBackend {
  /** The branch ending at leafId (the current leaf when omitted), root first; null for an unknown conversation. */
  branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null>;
  /** A message was written (it becomes the conversation's current leaf). */
  record(ownerId: string, conversationId: string, message: StoredMessage): Promise<void>;
  readSummary(conversationId: string): Promise<StoredSummary | null>;
  writeSummary(conversationId: string, summary: StoredSummary): Promise<void>;
}
