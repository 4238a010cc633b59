import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { type Actor, type AttachmentContent, type AttachmentView, AppError, ErrorCode, type UploadAttachmentRequest, requireUserId } from '#contracts';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource } from 'typeorm';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { ConversationsErrors, invalidField } from '../conversations/conversations.errors.js';
import { ConversationsRepository } from '../conversations/conversations.repository.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import type { AttachmentEntity } from './attachment.entity.js';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from './attachment-storage.js';
import { AttachmentsRepository } from './attachments.repository.js';

@Injectable()
export class AttachmentsService {
  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  /**
   * Bytes go to storage first and the row second: a crash in between leaves an unreferenced file
   * (harmless, removed with the owner's folder), never a row without its bytes.
   */
  async upload(actor: Actor, request: UploadAttachmentRequest): Promise<AttachmentView> {
    const ownerId = requireUserId(actor);
    const contentType = request.contentType.toLowerCase();
    if (!this.config.attachmentTypes.includes(contentType)) {
      throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `attachments of type ${contentType} are not accepted`, { accepted: this.config.attachmentTypes });
    }
    const bytes = Buffer.from(request.contentBase64, 'base64');
    if (bytes.length > this.config.attachmentMaxBytes) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `attachments may be at most ${this.config.attachmentMaxBytes} bytes`, { maxBytes: this.config.attachmentMaxBytes });
    }
    const conversation = await this.conversations.findOwned(ownerId, request.id);
    if (!conversation) throw ConversationsErrors.notFound();
    const id = newId();
    const storageKey = `${ownerId}/${id}`;
    await this.storage.put(storageKey, bytes);
    const saved = await this.dataSource.transaction(async (manager) => {
      if (request.messageId !== undefined && !(await this.messages.findInConversation(manager, conversation.id, request.messageId))) {
        throw invalidField('messageId', 'messageId must be a message of this conversation');
      }
      return this.attachments.insert(manager, {
        id,
        ownerId,
        conversationId: conversation.id,
        messageId: request.messageId ?? null,
        filename: safeFilename(request.filename),
        contentType,
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        storageKey,
      });
    }).catch(async (err: unknown) => {
      await this.storage.delete(storageKey);
      throw err;
    });
    return toAttachmentView(saved);
  }

  async download(actor: Actor, id: string): Promise<AttachmentContent> {
    const attachment = await this.attachments.findOwned(requireUserId(actor), id);
    if (!attachment) throw ConversationsErrors.attachmentNotFound();
    const bytes = await this.storage.get(attachment.storageKey);
    if (!bytes) throw ConversationsErrors.attachmentNotFound();
    return { ...toAttachmentView(attachment), contentBase64: bytes.toString('base64') };
  }
}

/** The name as shown and offered for download: no path, no control characters. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '_').trim();
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean.slice(0, 255);
}

function toAttachmentView(a: AttachmentEntity): AttachmentView {
  return {
    id: a.id,
    conversationId: a.conversationId,
    messageId: a.messageId,
    filename: a.filename,
    contentType: a.contentType,
    sizeBytes: a.sizeBytes,
    sha256: a.sha256,
    createdAt: a.createdAt.toISOString(),
  };
}
