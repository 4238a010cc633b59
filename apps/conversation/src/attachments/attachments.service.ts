import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { type Actor, type AttachmentContent, type AttachmentView, type UploadAttachmentRequest, requireUserId } from '#contracts';
import { Database, newId } from '#persistence';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { AttachmentsErrors } from './attachments.errors.js';
import { toAttachmentView } from './attachments.mapper.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { safeFilename } from './safe-filename.js';

@Injectable()
export class AttachmentsService {
  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly database: Database,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  /** The row and its bytes in one transaction: every replica sees both or neither. */
  async upload(actor: Actor, request: UploadAttachmentRequest): Promise<AttachmentView> {
    const ownerId = requireUserId(actor);
    const contentType = request.contentType.toLowerCase();
    if (!this.config.attachmentTypes.includes(contentType)) throw AttachmentsErrors.unsupportedType(contentType, this.config.attachmentTypes);
    const bytes = Buffer.from(request.contentBase64, 'base64');
    if (bytes.length > this.config.attachmentMaxBytes) throw AttachmentsErrors.tooLarge(this.config.attachmentMaxBytes);
    const conversation = await this.conversations.findOwned(ownerId, request.id);
    if (!conversation) throw AttachmentsErrors.conversationNotFound();
    const saved = await this.database.transaction(async () => {
      if (request.messageId !== undefined && !(await this.messages.isLiveIn(conversation.id, request.messageId))) throw AttachmentsErrors.foreignMessage();
      return this.attachments.insert(
        {
          id: newId(),
          ownerId,
          conversationId: conversation.id,
          messageId: request.messageId ?? null,
          filename: safeFilename(request.filename),
          contentType,
          sizeBytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
        bytes,
      );
    });
    return toAttachmentView(saved);
  }

  /** An attachment of the caller's whose conversation is live: a deleted conversation hides its files. */
  async download(actor: Actor, id: string): Promise<AttachmentContent> {
    const ownerId = requireUserId(actor);
    const attachment = await this.attachments.findOwned(ownerId, id);
    if (!attachment || !(await this.conversations.findOwned(ownerId, attachment.conversationId))) throw AttachmentsErrors.notFound();
    const bytes = await this.attachments.bytesOf(attachment.id);
    if (!bytes) throw AttachmentsErrors.notFound();
    return { ...toAttachmentView(attachment), contentBase64: bytes.toString('base64') };
  }
}
