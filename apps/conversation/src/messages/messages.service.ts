import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import {
  type Actor,
  type AddMessageRequest,
  type ConversationTree,
  type EditMessageRequest,
  ListMessagesRequest,
  MessageCreated,
  type MessageList,
  type MessageView,
  type SwitchBranchRequest,
  requireUserId,
} from '#contracts';
import type { Outbox } from '#messaging';
import { Database, decodeCursor, encodeCursor } from '#persistence';
import { OUTBOX } from '#service-kit';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { type ConversationEntity, ConversationsService } from '../conversations/conversations.service.js';
import { totalsOf } from './message-totals.js';
import type { MessageEntity } from './message.entity.js';
import { MessagesErrors } from './messages.errors.js';
import { toMessageView } from './messages.mapper.js';
import { MessagesRepository, type NewMessage } from './messages.repository.js';
import { titleFrom } from './title.js';

const DEFAULT_PAGE = 100;
/** Content per page; with the JSON around it a page stays well under NATS's 1 MiB message limit. */
const PAGE_BYTES = 512 * 1024;

/** One message to write: everything but what the conversation and the chain decide. */
export type MessageDraft = Omit<NewMessage, 'conversationId' | 'ownerId' | 'agentId' | 'parentId'>;

@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly database: Database,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  /**
   * The current branch, or the one ending at ?leaf=, root first, newest page first: a page ends
   * at `limit` messages or at about half a megabyte of content, so a reply always fits one bus
   * message (NATS refuses more than 1 MiB by default); nextCursor continues towards the root.
   */
  async list(actor: Actor, request: ListMessagesRequest): Promise<MessageList> {
    const conversation = await this.conversations.requireOwned(requireUserId(actor), request.id);
    const leafId = request.leaf ?? conversation.currentLeafId;
    const startId = request.cursor === undefined ? leafId : decodeCursor(request.cursor, { id: 'uuid' }).id;
    if (!startId) return { items: [], leafId: null, nextCursor: null };
    const limit = request.limit ?? DEFAULT_PAGE;
    const rows = await this.messages.branchPage(conversation.id, startId, limit);
    if (rows.length === 0 || rows[0].message.id !== startId) {
      throw request.cursor !== undefined ? MessagesErrors.badCursor() : MessagesErrors.foreignLeaf('leaf');
    }
    let taken = 0;
    while (taken < rows.length && taken < limit && (taken === 0 || rows[taken].runningBytes <= PAGE_BYTES)) taken++;
    const page = rows.slice(0, taken).map((r) => r.message);
    const next = rows[taken]?.message.id;
    return { items: page.reverse().map(toMessageView), leafId, nextCursor: next === undefined ? null : encodeCursor({ id: next }) };
  }

  async tree(actor: Actor, conversationId: string): Promise<ConversationTree> {
    const conversation = await this.conversations.requireOwned(requireUserId(actor), conversationId);
    const nodes = await this.messages.tree(conversation.id);
    return { currentLeafId: conversation.currentLeafId, nodes: nodes.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })) };
  }

  /** A user message under parentId (the current leaf by default); it becomes the current leaf. */
  async add(actor: Actor, request: AddMessageRequest): Promise<MessageView> {
    const [message] = await this.append(requireUserId(actor), request.id, request.parentId, [userDraft(this.checkContent(request.content))], actor);
    return message;
  }

  /** Editing a user message writes a sibling with the new text: a new branch, made current. */
  async edit(actor: Actor, request: EditMessageRequest): Promise<MessageView> {
    const ownerId = requireUserId(actor);
    const content = this.checkContent(request.content);
    const original = await this.messages.findOwned(ownerId, request.id);
    if (!original) throw MessagesErrors.notFound();
    if (original.role !== 'user') throw MessagesErrors.notEditable();
    const [message] = await this.database.transaction(async () => {
      const conversation = await this.conversations.lockOwned(ownerId, original.conversationId);
      if (!conversation) throw MessagesErrors.notFound();
      return this.appendChain(conversation, original.parentId, [userDraft(content)], actor);
    });
    return toMessageView(message);
  }

  /** Shows another branch: the newest leaf at or below the chosen message becomes current. */
  async switchBranch(actor: Actor, request: SwitchBranchRequest): Promise<MessageList> {
    const ownerId = requireUserId(actor);
    const leafId = await this.database.transaction(async () => {
      const conversation = await this.conversations.requireLocked(ownerId, request.id);
      const chosen = await this.messages.findInConversation(conversation.id, request.leafId);
      if (!chosen) throw MessagesErrors.foreignLeaf('leafId');
      const leaf = await this.messages.newestLeafUnder(chosen.id);
      await this.conversations.showLeaf(conversation, leaf);
      return leaf;
    });
    return this.list(actor, Object.assign(new ListMessagesRequest(), { id: request.id, leaf: leafId }));
  }

  /** Soft-deletes a message with everything that answers it; a branch shown through it moves to its parent. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    const message = await this.messages.findOwned(ownerId, id);
    if (!message) throw MessagesErrors.notFound();
    await this.database.transaction(async () => {
      const conversation = await this.conversations.lockOwned(ownerId, message.conversationId);
      if (!conversation) throw MessagesErrors.notFound();
      const hidden = await this.messages.softDeleteSubtree(id, new Date());
      if (hidden.length === 0) throw MessagesErrors.notFound();
      let leafId = conversation.currentLeafId;
      if (leafId !== null && hidden.some((m) => m.id === leafId)) {
        leafId = message.parentId === null ? await this.messages.newestLive(conversation.id) : await this.messages.newestLeafUnder(message.parentId);
      }
      await this.conversations.recordMessages(conversation, { leafId, delta: totalsOf(hidden, -1), at: null, title: null });
    });
  }

  async restore(actor: Actor, id: string): Promise<MessageView> {
    const ownerId = requireUserId(actor);
    const message = await this.messages.findOwned(ownerId, id, { deleted: true });
    if (!message || !message.deletedAt || message.deletedAt < this.conversations.retentionStart()) {
      if (await this.messages.findOwned(ownerId, id)) throw MessagesErrors.notDeleted();
      throw MessagesErrors.notFound();
    }
    const deletedAt = message.deletedAt;
    await this.database.transaction(async () => {
      const conversation = await this.conversations.lockOwned(ownerId, message.conversationId);
      if (!conversation) throw MessagesErrors.notFound();
      if (message.parentId !== null && !(await this.messages.findInConversation(conversation.id, message.parentId))) throw MessagesErrors.parentDeleted();
      const restored = await this.messages.restoreSubtree(id, deletedAt);
      await this.conversations.recordMessages(conversation, { leafId: conversation.currentLeafId, delta: totalsOf(restored), at: null, title: null });
    });
    message.deletedAt = null;
    return toMessageView(message);
  }

  /**
   * Writes messages to a live conversation of the owner, in order, each answering the one before,
   * the first under parentId (a live message of the conversation; the current leaf when omitted;
   * null: a new first message). One transaction, joined when the caller has one open.
   */
  append(ownerId: string, conversationId: string, parentId: string | null | undefined, drafts: MessageDraft[], actor: Actor): Promise<MessageView[]> {
    return this.database.transaction(async () => {
      const conversation = await this.conversations.requireLocked(ownerId, conversationId);
      const written = await this.appendChain(conversation, await this.resolveParent(conversation, parentId), drafts, actor);
      return written.map(toMessageView);
    });
  }

  /** The branch ending at leafId (the current leaf when omitted), root first; null for a conversation the owner does not have. */
  async branchOf(ownerId: string, conversationId: string, leafId?: string): Promise<MessageView[] | null> {
    const conversation = await this.conversations.findOwned(ownerId, conversationId);
    if (!conversation) return null;
    const leaf = leafId ?? conversation.currentLeafId;
    if (!leaf) return [];
    return (await this.messages.branch(conversation.id, leaf)).map(toMessageView);
  }

  /** Whether id is a live message of the conversation. */
  async isLiveIn(conversationId: string, id: string): Promise<boolean> {
    return (await this.messages.findInConversation(conversationId, id)) !== null;
  }

  /** Messages deleted before the cutoff go for good; answers how many. */
  purgeDeleted(before: Date): Promise<number> {
    return this.messages.purgeDeleted(before);
  }

  checkContent(content: string): string {
    if (content.trim() === '') throw MessagesErrors.emptyContent();
    if (content.length > this.config.maxMessageChars) throw MessagesErrors.contentTooLong(this.config.maxMessageChars);
    return content;
  }

  /**
   * Writes messages in order, each answering the one before, under the conversation the caller
   * locked: totals, the current leaf, the activity time and the title change in the same
   * transaction, and each message gets its message.created event. A draft whose (runId, step) was
   * written before is not written again: the earlier message stands in for it in the chain.
   */
  private async appendChain(conversation: ConversationEntity, parentId: string | null, drafts: MessageDraft[], actor: Actor): Promise<MessageEntity[]> {
    const written: MessageEntity[] = [];
    const added: MessageEntity[] = [];
    let parent = parentId;
    let title: string | null = null;
    for (const draft of drafts) {
      const existing = draft.runId !== null && draft.step !== null ? await this.messages.findByRunStep(draft.runId, draft.step) : null;
      const message =
        existing ?? (await this.messages.insert({ ...draft, conversationId: conversation.id, ownerId: conversation.ownerId, agentId: conversation.agentId, parentId: parent }));
      if (message === null) throw new Error('a run step was written concurrently outside the conversation lock');
      if (!existing) {
        added.push(message);
        if (title === null && conversation.title === null && message.role === 'user') title = titleFrom(message.content);
        await this.outbox.add(
          MessageCreated,
          { messageId: message.id, conversationId: conversation.id, ownerId: conversation.ownerId, role: message.role, ...(message.runId ? { runId: message.runId } : {}) },
          actor,
        );
      }
      written.push(message);
      parent = message.id;
    }
    if (added.length > 0) {
      await this.conversations.recordMessages(conversation, { leafId: parent, delta: totalsOf(added), at: added[added.length - 1].createdAt, title });
    }
    return written;
  }

  /** Live messages of the conversation may parent a new one; a foreign or deleted one is a bad parentId. */
  private async resolveParent(conversation: ConversationEntity, parentId: string | null | undefined): Promise<string | null> {
    if (parentId === undefined) return conversation.currentLeafId;
    // A new first message: a sibling of the conversation's first one, as an edit of it makes.
    if (parentId === null) return null;
    const parent = await this.messages.findInConversation(conversation.id, parentId);
    if (!parent) throw MessagesErrors.foreignParent();
    return parent.id;
  }
}

function userDraft(content: string): MessageDraft {
  return { role: 'user', content, toolCalls: null, toolCallId: null, runId: null, step: null, model: null, tokenUsage: null, costMicros: 0, metadata: {} };
}
