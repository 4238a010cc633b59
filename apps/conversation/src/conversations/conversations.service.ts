import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import {
  type Actor,
  ConversationCreated,
  ConversationDeleted,
  type ConversationList,
  ConversationRestored,
  type ConversationView,
  type CreateConversationRequest,
  type ListConversationsQuery,
  type UpdateConversationRequest,
  requireUserId,
} from '#contracts';
import type { Outbox } from '#messaging';
import { Database, decodeCursor, encodeCursor, isUniqueViolation, pageOf } from '#persistence';
import { OUTBOX } from '#service-kit';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import type { ConversationEntity } from './conversation.entity.js';
import { ConversationsErrors } from './conversations.errors.js';
import { toConversationView } from './conversations.mapper.js';
import { ConversationsRepository } from './conversations.repository.js';
import { TargetOwnership } from './target-ownership.js';

export type { ConversationEntity } from './conversation.entity.js';

/** What messages written or hidden add to a conversation's totals (negative when hidden). */
export interface TotalsDelta {
  messages: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costMicros: number;
}

/** What a message write changes on its conversation. */
export interface MessagesRecorded {
  /** The leaf shown from now on. */
  leafId: string | null;
  delta: TotalsDelta;
  /** When the newest message was written; null when none was. */
  at: Date | null;
  /** A title for a conversation that has none yet. */
  title: string | null;
}

/** What a committed change touched: one conversation, several (the purge), or all of one owner's (account deletion). */
export type ConversationChange = { conversationIds: string[] } | { ownerId: string };

const DEFAULT_LIMIT = 20;
/** Per JSON field: a page of 100 conversations must still fit one bus message (1 MiB). */
const MAX_JSON_BYTES = 8 * 1024;

function checkJsonSize(fields: { metadata?: Record<string, unknown>; sessionContext?: Record<string, unknown> }): void {
  for (const field of ['metadata', 'sessionContext'] as const) {
    const value = fields[field];
    if (value !== undefined && Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) throw ConversationsErrors.jsonTooLarge(field, MAX_JSON_BYTES);
  }
}

@Injectable()
export class ConversationsService {
  private readonly changeListeners = new Set<(change: ConversationChange) => void>();

  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly targets: TargetOwnership,
    private readonly database: Database,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  /**
   * Hears, once the change committed (never for a rolled-back one), every conversation whose
   * messages, current leaf or existence changed: what run memory shows of it may differ now.
   */
  onChanged(listener: (change: ConversationChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async create(actor: Actor, request: CreateConversationRequest): Promise<ConversationView> {
    const ownerId = requireUserId(actor);
    if ((request.agentId === undefined) === (request.workflowId === undefined)) throw ConversationsErrors.oneTarget();
    checkJsonSize(request);
    // Workflows have no service answering on the bus yet, so a workflowId is taken as given; the
    // workflow service's deleted event will keep it honest as agent.deleted does for agents.
    if (request.agentId !== undefined) await this.targets.assertAgentOwned(actor, request.agentId);
    if (request.projectId !== undefined) await this.targets.assertProjectOwned(actor, request.projectId);
    try {
      const saved = await this.database.transaction(async () => {
        const conversation = await this.conversations.insert({
          ownerId,
          agentId: request.agentId ?? null,
          workflowId: request.workflowId ?? null,
          projectId: request.projectId ?? null,
          title: request.title?.trim() || null,
          sessionId: request.sessionId ?? null,
          sessionContext: request.sessionContext ?? {},
          metadata: request.metadata ?? {},
        });
        await this.outbox.add(ConversationCreated, eventOf(conversation), actor);
        return conversation;
      });
      return toConversationView(saved);
    } catch (err) {
      if (isUniqueViolation(err, 'conversations_session_id_uq')) throw ConversationsErrors.sessionTaken();
      throw err;
    }
  }

  async list(actor: Actor, query: ListConversationsQuery): Promise<ConversationList> {
    const ownerId = requireUserId(actor);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.conversations.list({
      ownerId,
      agentId: query.agentId,
      workflowId: query.workflowId,
      projectId: query.projectId,
      archived: query.archived === undefined ? undefined : query.archived === 'true',
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { activity: 'timestamp', id: 'uuid' }),
      limit: limit + 1,
    });
    return pageOf(
      rows,
      limit,
      (r) => toConversationView(r.conversation),
      (r) => encodeCursor({ activity: r.activity, id: r.conversation.id }),
    );
  }

  async get(actor: Actor, id: string): Promise<ConversationView> {
    return toConversationView(await this.requireOwned(requireUserId(actor), id));
  }

  async update(actor: Actor, request: UpdateConversationRequest): Promise<ConversationView> {
    const ownerId = requireUserId(actor);
    checkJsonSize(request);
    const saved = await this.database.transaction(async () => {
      const c = await this.requireLocked(ownerId, request.id);
      if (request.title !== undefined) c.title = request.title.trim() || c.title;
      if (request.isArchived !== undefined) c.isArchived = request.isArchived;
      if (request.sessionContext !== undefined) c.sessionContext = request.sessionContext;
      if (request.metadata !== undefined) c.metadata = request.metadata;
      return this.conversations.save(c);
    });
    return toConversationView(saved);
  }

  /** Soft delete: the conversation leaves lists and search; restore brings it back until the purge. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.database.transaction(async () => {
      const c = await this.requireLocked(ownerId, id);
      c.deletedAt = new Date();
      await this.conversations.save(c);
      await this.outbox.add(ConversationDeleted, eventOf(c), actor);
      this.changed({ conversationIds: [c.id] });
    });
  }

  async restore(actor: Actor, id: string): Promise<ConversationView> {
    const ownerId = requireUserId(actor);
    const saved = await this.database.transaction(async () => {
      const c = await this.conversations.lockOwned(ownerId, id, { deleted: true });
      if (!c || !c.deletedAt || c.deletedAt < this.retentionStart()) {
        // A live conversation of the caller is a conflict; anything else (purged, another user's) is not found.
        if (await this.conversations.findOwned(ownerId, id)) throw ConversationsErrors.notDeleted();
        throw ConversationsErrors.notFound();
      }
      c.deletedAt = null;
      const restored = await this.conversations.save(c);
      this.changed({ conversationIds: [c.id] });
      await this.outbox.add(ConversationRestored, eventOf(restored), actor);
      return restored;
    });
    return toConversationView(saved);
  }

  /** A live conversation of this owner, or null. */
  findOwned(ownerId: string, id: string): Promise<ConversationEntity | null> {
    return this.conversations.findOwned(ownerId, id);
  }

  async requireOwned(ownerId: string, id: string): Promise<ConversationEntity> {
    const found = await this.conversations.findOwned(ownerId, id);
    if (!found) throw ConversationsErrors.notFound();
    return found;
  }

  /**
   * A live conversation of this owner, locked until the caller's transaction ends: message writes
   * of one conversation (totals, current leaf) run one after another. Null when there is none.
   */
  lockOwned(ownerId: string, id: string): Promise<ConversationEntity | null> {
    return this.conversations.lockOwned(ownerId, id);
  }

  async requireLocked(ownerId: string, id: string): Promise<ConversationEntity> {
    const found = await this.conversations.lockOwned(ownerId, id);
    if (!found) throw ConversationsErrors.notFound();
    return found;
  }

  /** Shows another branch of a conversation the caller has locked. */
  async showLeaf(conversation: ConversationEntity, leafId: string): Promise<void> {
    conversation.currentLeafId = leafId;
    await this.conversations.save(conversation);
    this.changed({ conversationIds: [conversation.id] });
  }

  /**
   * What a message write changes on its conversation, in the writer's transaction: totals, the
   * leaf shown, the activity time, and the title when none was set yet. The conversation is the
   * one the writer locked, so its totals are the committed ones and the sums are exact.
   */
  async recordMessages(conversation: ConversationEntity, change: MessagesRecorded): Promise<void> {
    conversation.currentLeafId = change.leafId;
    conversation.messageCount += change.delta.messages;
    conversation.promptTokens += change.delta.promptTokens;
    conversation.completionTokens += change.delta.completionTokens;
    conversation.totalTokens += change.delta.totalTokens;
    conversation.costMicros += change.delta.costMicros;
    conversation.lastMessageAt = change.at ?? conversation.lastMessageAt;
    conversation.title ??= change.title;
    const { currentLeafId, messageCount, promptTokens, completionTokens, totalTokens, costMicros, lastMessageAt, title } = conversation;
    await this.conversations.recordActivity(conversation.id, { currentLeafId, messageCount, promptTokens, completionTokens, totalTokens, costMicros, lastMessageAt, title });
    this.changed({ conversationIds: [conversation.id] });
  }

  /** agent.deleted: the agent's conversations stay, readable and searchable, but archived. */
  archiveAllOfAgent(ownerId: string, agentId: string): Promise<number> {
    return this.conversations.archiveByAgent(ownerId, agentId);
  }

  /** user.deleted: every conversation of the user goes for good (messages, summaries, attachment rows cascade). */
  async deleteAllOf(ownerId: string): Promise<void> {
    await this.conversations.deleteByOwner(ownerId);
    this.changed({ ownerId });
  }

  /** Conversations deleted before the cutoff, which the purge removes. */
  purgeable(before: Date): Promise<string[]> {
    return this.conversations.idsDeletedBefore(before);
  }

  /** Removes conversations for good (messages, summaries and attachment rows cascade); answers how many went. */
  async purge(ids: string[]): Promise<number> {
    const purged = await this.conversations.deleteAll(ids);
    if (ids.length > 0) this.changed({ conversationIds: ids });
    return purged;
  }

  private changed(change: ConversationChange): void {
    this.database.afterCommit(() => {
      for (const listener of this.changeListeners) listener(change);
    });
  }

  /** Deleted before this, a conversation or message is beyond restore: the purge may take it any time. */
  retentionStart(): Date {
    return new Date(Date.now() - this.config.retentionDays * 86_400_000);
  }
}

function eventOf(c: ConversationEntity) {
  return { conversationId: c.id, ownerId: c.ownerId, ...(c.agentId ? { agentId: c.agentId } : {}), ...(c.workflowId ? { workflowId: c.workflowId } : {}) };
}
