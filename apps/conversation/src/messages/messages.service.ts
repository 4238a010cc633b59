import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { type Actor, type AddMessageRequest, type ConversationTree, type EditMessageRequest, ListMessagesRequest, MessageCreated, type MessageList, type MessageView, type SwitchBranchRequest, requireUserId } from '#contracts';
import type { Outbox } from '#messaging';
import { DATA_SOURCE, OUTBOX } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import type { ConversationEntity } from '../conversations/conversation.entity.js';
import { toMessageView } from '../conversations/conversation.mapper.js';
import { ConversationsErrors } from '../conversations/conversations.errors.js';
import { ConversationsRepository, type TotalsDelta } from '../conversations/conversations.repository.js';
import { titleFrom } from '../conversations/title.js';
import { MEMORY_BACKEND, type MemoryBackend } from '../memory/memory-backend.js';
import type { MessageEntity } from './message.entity.js';
import { MessagesRepository, type NewMessage, totalsOfMessage } from './messages.repository.js';
import { decodeCursor, encodeCursor } from '#persistence';

const DEFAULT_PAGE = 100;
/** Content per page; with the JSON around it a page stays well under NATS's 1 MiB message limit. */
const PAGE_BYTES = 512 * 1024;

/** One message to write: everything but what the conversation and the chain decide. */
export type MessageDraft = Omit<NewMessage, 'conversationId' | 'ownerId' | 'agentId' | 'parentId'>;

@Injectable()
export class MessagesService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(MEMORY_BACKEND) private readonly memory: MemoryBackend,
  ) {}

  /**
   * The current branch, or the one ending at ?leaf=, root first, newest page first: a page ends
   * at `limit` messages or at about half a megabyte of content, so a reply always fits one bus
   * message (NATS refuses more than 1 MiB by default); nextCursor continues towards the root.
   */
  async list(actor: Actor, request: ListMessagesRequest): Promise<MessageList> {
    const ownerId = requireUserId(actor);
    const conversation = await this.conversations.findOwned(ownerId, request.id);
    if (!conversation) throw ConversationsErrors.notFound();
    const leafId = request.leaf ?? conversation.currentLeafId;
    let startId = leafId;
    if (request.cursor !== undefined) {
      startId = decodeCursor(request.cursor, { id: 'uuid' }).id;
    }
    if (!startId) return { items: [], leafId: null, nextCursor: null };
    const limit = request.limit ?? DEFAULT_PAGE;
    const rows = await this.messages.branchPage(conversation.id, startId, limit);
    if (rows.length === 0 || rows[0].message.id !== startId) {
      throw request.cursor !== undefined ? ConversationsErrors.badCursor() : ConversationsErrors.foreignLeaf('leaf');
    }
    let taken = 0;
    while (taken < rows.length && taken < limit && (taken === 0 || rows[taken].runningBytes <= PAGE_BYTES)) taken++;
    const page = rows.slice(0, taken).map((r) => r.message);
    const next = rows[taken]?.message.id;
    return { items: page.reverse().map(toMessageView), leafId, nextCursor: next === undefined ? null : encodeCursor({ id: next }) };
  }

  async tree(actor: Actor, conversationId: string): Promise<ConversationTree> {
    const conversation = await this.conversations.findOwned(requireUserId(actor), conversationId);
    if (!conversation) throw ConversationsErrors.notFound();
    const nodes = await this.messages.tree(conversation.id);
    return { currentLeafId: conversation.currentLeafId, nodes: nodes.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })) };
  }

  /** A user message under parentId (the current leaf by default); it becomes the current leaf. */
  async add(actor: Actor, request: AddMessageRequest): Promise<MessageView> {
    const ownerId = requireUserId(actor);
    const content = this.checkContent(request.content);
    const [message] = await this.dataSource.transaction(async (manager) => {
      const conversation = await this.conversations.lockOwned(manager, ownerId, request.id);
      if (!conversation) throw ConversationsErrors.notFound();
      const parentId = await this.resolveParent(manager, conversation, request.parentId);
      return this.appendChain(manager, conversation, parentId, [userDraft(content)], actor);
    });
    return toMessageView(message);
  }

  /** Editing a user message writes a sibling with the new text: a new branch, made current. */
  async edit(actor: Actor, request: EditMessageRequest): Promise<MessageView> {
    const ownerId = requireUserId(actor);
    const content = this.checkContent(request.content);
    const original = await this.messages.findOwned(ownerId, request.id);
    if (!original) throw ConversationsErrors.messageNotFound();
    if (original.role !== 'user') throw ConversationsErrors.notEditable();
    const [message] = await this.dataSource.transaction(async (manager) => {
      const conversation = await this.conversations.lockOwned(manager, ownerId, original.conversationId);
      if (!conversation) throw ConversationsErrors.messageNotFound();
      return this.appendChain(manager, conversation, original.parentId, [userDraft(content)], actor);
    });
    return toMessageView(message);
  }

  /** Shows another branch: the newest leaf at or below the chosen message becomes current. */
  async switchBranch(actor: Actor, request: SwitchBranchRequest): Promise<MessageList> {
    const ownerId = requireUserId(actor);
    const leafId = await this.dataSource.transaction(async (manager) => {
      const conversation = await this.conversations.lockOwned(manager, ownerId, request.id);
      if (!conversation) throw ConversationsErrors.notFound();
      const chosen = await this.messages.findInConversation(manager, conversation.id, request.leafId);
      if (!chosen) throw ConversationsErrors.foreignLeaf('leafId');
      conversation.currentLeafId = await this.messages.newestLeafUnder(manager, chosen.id);
      await this.conversations.save(manager, conversation);
      return conversation.currentLeafId;
    });
    return this.list(actor, Object.assign(new ListMessagesRequest(), { id: request.id, leaf: leafId }));
  }

  /** Soft-deletes a message with everything that answers it; a branch shown through it moves to its parent. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    const message = await this.messages.findOwned(ownerId, id);
    if (!message) throw ConversationsErrors.messageNotFound();
    await this.dataSource.transaction(async (manager) => {
      const conversation = await this.conversations.lockOwned(manager, ownerId, message.conversationId);
      if (!conversation) throw ConversationsErrors.messageNotFound();
      const { ids, delta } = await this.messages.softDeleteSubtree(manager, id, new Date());
      if (ids.length === 0) throw ConversationsErrors.messageNotFound();
      let leafId = conversation.currentLeafId;
      if (leafId !== null && ids.includes(leafId)) leafId = message.parentId === null ? await this.messages.newestLive(manager, conversation.id) : await this.messages.newestLeafUnder(manager, message.parentId);
      await this.conversations.recordMessages(manager, conversation.id, { leafId, delta: negate(delta), at: null, title: null });
    });
  }

  async restore(actor: Actor, id: string): Promise<MessageView> {
    const ownerId = requireUserId(actor);
    const message = await this.messages.findOwned(ownerId, id, { deleted: true });
    if (!message || !message.deletedAt || message.deletedAt < new Date(Date.now() - this.config.retentionDays * 86_400_000)) {
      if (await this.messages.findOwned(ownerId, id)) throw ConversationsErrors.notDeleted('message');
      throw ConversationsErrors.messageNotFound();
    }
    const deletedAt = message.deletedAt;
    await this.dataSource.transaction(async (manager) => {
      const conversation = await this.conversations.lockOwned(manager, ownerId, message.conversationId);
      if (!conversation) throw ConversationsErrors.messageNotFound();
      if (message.parentId !== null && !(await this.messages.findInConversation(manager, conversation.id, message.parentId))) throw ConversationsErrors.parentDeleted();
      const delta = await this.messages.restoreSubtree(manager, id, deletedAt);
      await this.conversations.recordMessages(manager, conversation.id, { leafId: conversation.currentLeafId, delta, at: null, title: null });
    });
    message.deletedAt = null;
    return toMessageView(message);
  }

  /**
   * Writes messages in order, each answering the one before, under a locked conversation: totals,
   * the current leaf, the activity time and the title change in the same transaction, and each
   * message gets its message.created event. A draft whose (runId, step) was written before is not
   * written again: the earlier message stands in for it in the chain.
   */
  async appendChain(manager: EntityManager, conversation: ConversationEntity, parentId: string | null, drafts: MessageDraft[], actor: Actor): Promise<MessageEntity[]> {
    const written: MessageEntity[] = [];
    const delta: TotalsDelta = { messages: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 };
    let parent = parentId;
    let title: string | null = null;
    let lastAt: Date | null = null;
    let wroteAny = false;
    for (const draft of drafts) {
      const existing = draft.runId !== null && draft.step !== null ? await this.messages.findByRunStep(manager, draft.runId, draft.step) : null;
      const message =
        existing ??
        (await this.messages.insert(manager, { ...draft, conversationId: conversation.id, ownerId: conversation.ownerId, agentId: conversation.agentId, parentId: parent }));
      if (message === null) throw new Error('a run step was written concurrently outside the conversation lock');
      if (!existing) {
        wroteAny = true;
        const d = totalsOfMessage(message);
        for (const key of Object.keys(delta) as Array<keyof TotalsDelta>) delta[key] += d[key];
        if (title === null && conversation.title === null && message.role === 'user') title = titleFrom(message.content);
        lastAt = message.createdAt;
        await this.outbox.addIn(
          manager,
          MessageCreated,
          { messageId: message.id, conversationId: conversation.id, ownerId: conversation.ownerId, role: message.role, ...(message.runId ? { runId: message.runId } : {}) },
          actor,
        );
        await this.memory.record(conversation.ownerId, conversation.id, {
          id: message.id,
          parentId: message.parentId,
          role: message.role,
          content: message.content,
          toolCalls: message.toolCalls,
          toolCallId: message.toolCallId,
        });
      }
      written.push(message);
      parent = message.id;
    }
    if (wroteAny) await this.conversations.recordMessages(manager, conversation.id, { leafId: parent, delta, at: lastAt, title });
    return written;
  }

  /** Live messages of the conversation that may parent a new one; a foreign or deleted one is a bad parentId. */
  async resolveParent(manager: EntityManager, conversation: ConversationEntity, parentId: string | undefined): Promise<string | null> {
    if (parentId === undefined) return conversation.currentLeafId;
    const parent = await this.messages.findInConversation(manager, conversation.id, parentId);
    if (!parent) throw ConversationsErrors.foreignParent();
    return parent.id;
  }

  checkContent(content: string): string {
    if (content.trim() === '') throw ConversationsErrors.emptyContent();
    if (content.length > this.config.maxMessageChars) throw ConversationsErrors.contentTooLong(this.config.maxMessageChars);
    return content;
  }
}

function userDraft(content: string): MessageDraft {
  return { role: 'user', content, toolCalls: null, toolCallId: null, runId: null, step: null, model: null, tokenUsage: null, costMicros: 0, metadata: {} };
}

function negate(d: TotalsDelta): TotalsDelta {
  return { messages: -d.messages, promptTokens: -d.promptTokens, completionTokens: -d.completionTokens, totalTokens: -d.totalTokens, costMicros: -d.costMicros };
}
