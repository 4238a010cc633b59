import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { type ConversationChange, ConversationsService } from '../conversations/conversations.service.js';
import type { MemoryBackend, StoredMessage, StoredSummary } from './memory-backend.js';
import { SqlMemoryBackend } from './sql.backend.js';

/** Conversations whose memory one process keeps; the least recently read goes first. */
const MAX_CONVERSATIONS = 1000;
/** Branches kept per conversation (the current one, and leaves runs asked for). */
const MAX_BRANCHES = 8;

interface Kept {
  ownerId: string;
  /** By leaf id; '' is the current leaf. */
  branches: Map<string, StoredMessage[]>;
  summary?: StoredSummary | null;
}

/**
 * `in_memory`: what the sql backend reads, kept in this process's memory until a committed change
 * of the conversation (a message written, deleted or restored, another branch shown, the
 * conversation deleted, restored or purged, its owner deleted) drops it. Nothing is ever written
 * here that the database did not commit: a fill starts from a committed read, and is not kept if
 * any change committed meanwhile, so it cannot bring back what a delete removed. Only this process
 * hears the changes, which is why the setting is refused unless the whole platform runs in one
 * process (loadConversationConfig).
 */
@Injectable()
export class InMemoryMemoryBackend implements MemoryBackend, OnModuleInit, OnModuleDestroy {
  private readonly kept = new Map<string, Kept>();
  /** Counts committed changes: a read that saw another value before it returns keeps nothing. */
  private changes = 0;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly sql: SqlMemoryBackend,
    private readonly conversations: ConversationsService,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.memoryBackend === 'in_memory') this.stopListening = this.conversations.onChanged((change) => this.forget(change));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /** Whether this process holds anything of the conversation (for tests and diagnostics). */
  holds(conversationId: string): boolean {
    return this.kept.has(conversationId);
  }

  async branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null> {
    const kept = this.kept.get(conversationId);
    const key = leafId ?? '';
    const branch = kept?.ownerId === ownerId ? kept.branches.get(key) : undefined;
    if (branch) {
      this.touch(conversationId, kept!);
      return branch.map((message) => ({ ...message }));
    }
    const seen = this.changes;
    const read = await this.sql.branch(ownerId, conversationId, leafId);
    if (read !== null && seen === this.changes) {
      const entry = kept?.ownerId === ownerId ? kept : { ownerId, branches: new Map<string, StoredMessage[]>() };
      if (entry.branches.size >= MAX_BRANCHES) entry.branches.delete(entry.branches.keys().next().value as string);
      entry.branches.set(key, read.map((message) => ({ ...message })));
      this.touch(conversationId, entry);
    }
    return read;
  }

  /** Only read after branch() found the conversation for its owner, as MemoryService does. */
  async readSummary(conversationId: string): Promise<StoredSummary | null> {
    const kept = this.kept.get(conversationId);
    if (kept?.summary !== undefined) return kept.summary && { ...kept.summary };
    const seen = this.changes;
    const read = await this.sql.readSummary(conversationId);
    if (kept && seen === this.changes && this.kept.get(conversationId) === kept) kept.summary = read && { ...read };
    return read;
  }

  async writeSummary(conversationId: string, summary: StoredSummary): Promise<void> {
    await this.sql.writeSummary(conversationId, summary);
    this.forget({ conversationIds: [conversationId] });
  }

  private forget(change: ConversationChange): void {
    this.changes++;
    if ('ownerId' in change) {
      for (const [id, kept] of this.kept) if (kept.ownerId === change.ownerId) this.kept.delete(id);
    } else {
      for (const id of change.conversationIds) this.kept.delete(id);
    }
  }

  private touch(conversationId: string, kept: Kept): void {
    this.kept.delete(conversationId);
    this.kept.set(conversationId, kept);
    while (this.kept.size > MAX_CONVERSATIONS) this.kept.delete(this.kept.keys().next().value as string);
  }
}
