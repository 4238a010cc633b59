import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { type Actor, ConversationCreated, ConversationDeleted, type ConversationList, ConversationRestored, type ConversationView, type CreateConversationRequest, type ListConversationsQuery, type UpdateConversationRequest, requireUserId } from '#contracts';
import type { Outbox } from '#messaging';
import { decodeCursor, encodeCursor, isUniqueViolation } from '#persistence';
import { DATA_SOURCE, OUTBOX } from '#service-kit';
import type { DataSource } from 'typeorm';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { toConversationView } from './conversation.mapper.js';
import type { ConversationEntity } from './conversation.entity.js';
import { ConversationsErrors, invalidField } from './conversations.errors.js';
import { ConversationsRepository } from './conversations.repository.js';
import { TargetOwnership } from './target-ownership.js';

const DEFAULT_LIMIT = 20;
/** Per JSON field: a page of 100 conversations must still fit one bus message (1 MiB). */
const MAX_JSON_BYTES = 8 * 1024;

function checkJsonSize(fields: { metadata?: Record<string, unknown>; sessionContext?: Record<string, unknown> }): void {
  for (const field of ['metadata', 'sessionContext'] as const) {
    const value = fields[field];
    if (value !== undefined && Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) throw invalidField(field, `${field} must be at most ${MAX_JSON_BYTES} bytes of JSON`);
  }
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly targets: TargetOwnership,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  async create(actor: Actor, request: CreateConversationRequest): Promise<ConversationView> {
    const ownerId = requireUserId(actor);
    if ((request.agentId === undefined) === (request.workflowId === undefined)) throw ConversationsErrors.oneTarget();
    checkJsonSize(request);
    // Workflows have no service answering on the bus yet, so a workflowId is taken as given; the
    // workflow service's deleted event will keep it honest as agent.deleted does for agents.
    if (request.agentId !== undefined) await this.targets.assertAgentOwned(actor, request.agentId);
    if (request.projectId !== undefined) await this.targets.assertProjectOwned(actor, request.projectId);
    try {
      const saved = await this.dataSource.transaction(async (manager) => {
        const conversation = await this.conversations.insert(manager, {
          ownerId,
          agentId: request.agentId ?? null,
          workflowId: request.workflowId ?? null,
          projectId: request.projectId ?? null,
          title: request.title?.trim() || null,
          sessionId: request.sessionId ?? null,
          sessionContext: request.sessionContext ?? {},
          metadata: request.metadata ?? {},
          isArchived: false,
          currentLeafId: null,
          lastMessageAt: null,
          messageCount: 0,
          promptTokens: 0,
          completionTokens: 0,
          totalTokens: 0,
          costMicros: 0,
          deletedAt: null,
        });
        await this.outbox.addIn(manager, ConversationCreated, eventOf(conversation), actor);
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
    let after: { activity: string; id: string } | undefined;
    if (query.cursor !== undefined) {
      after = decodeCursor(query.cursor, { activity: 'timestamp', id: 'uuid' });
    }
    const rows = await this.conversations.list({
      ownerId,
      agentId: query.agentId,
      workflowId: query.workflowId,
      projectId: query.projectId,
      archived: query.archived === undefined ? undefined : query.archived === 'true',
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toConversationView(r.conversation)),
      nextCursor: rows.length > limit ? encodeCursor({ activity: last.activity, id: last.conversation.id }) : null,
    };
  }

  async get(actor: Actor, id: string): Promise<ConversationView> {
    return toConversationView(await this.requireOwned(actor, id));
  }

  async requireOwned(actor: Actor, id: string): Promise<ConversationEntity> {
    const found = await this.conversations.findOwned(requireUserId(actor), id);
    if (!found) throw ConversationsErrors.notFound();
    return found;
  }

  async update(actor: Actor, request: UpdateConversationRequest): Promise<ConversationView> {
    const ownerId = requireUserId(actor);
    checkJsonSize(request);
    const saved = await this.dataSource.transaction(async (manager) => {
      const c = await this.conversations.lockOwned(manager, ownerId, request.id);
      if (!c) throw ConversationsErrors.notFound();
      if (request.title !== undefined) c.title = request.title.trim() || c.title;
      if (request.isArchived !== undefined) c.isArchived = request.isArchived;
      if (request.sessionContext !== undefined) c.sessionContext = request.sessionContext;
      if (request.metadata !== undefined) c.metadata = request.metadata;
      return this.conversations.save(manager, c);
    });
    return toConversationView(saved);
  }

  /** Soft delete: the conversation leaves lists and search; restore brings it back until the purge. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.dataSource.transaction(async (manager) => {
      const c = await this.conversations.lockOwned(manager, ownerId, id);
      if (!c) throw ConversationsErrors.notFound();
      c.deletedAt = new Date();
      await this.conversations.save(manager, c);
      await this.outbox.addIn(manager, ConversationDeleted, eventOf(c), actor);
    });
  }

  async restore(actor: Actor, id: string): Promise<ConversationView> {
    const ownerId = requireUserId(actor);
    const saved = await this.dataSource.transaction(async (manager) => {
      const c = await this.conversations.lockOwned(manager, ownerId, id, { deleted: true });
      if (!c || !c.deletedAt || c.deletedAt < this.retentionStart()) {
        // A live conversation of the caller is a conflict; anything else (purged, another user's) is not found.
        if (await this.conversations.findOwned(ownerId, id, { deleted: false }, manager)) throw ConversationsErrors.notDeleted('conversation');
        throw ConversationsErrors.notFound();
      }
      c.deletedAt = null;
      const restored = await this.conversations.save(manager, c);
      await this.outbox.addIn(manager, ConversationRestored, eventOf(restored), actor);
      return restored;
    });
    return toConversationView(saved);
  }

  retentionStart(): Date {
    return new Date(Date.now() - this.config.retentionDays * 86_400_000);
  }
}

function eventOf(c: ConversationEntity) {
  return { conversationId: c.id, ownerId: c.ownerId, ...(c.agentId ? { agentId: c.agentId } : {}), ...(c.workflowId ? { workflowId: c.workflowId } : {}) };
}
