import { Module } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { ATTACHMENT_STORAGE, FolderStorage } from './attachment-storage.js';
import { AttachmentsHandler } from './attachments.handler.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { AttachmentsService } from './attachments.service.js';

@Module({
  imports: [ConversationsModule, MessagesModule],
  controllers: [AttachmentsHandler],
  providers: [
    AttachmentsService,
    AttachmentsRepository,
    { provide: ATTACHMENT_STORAGE, inject: [CONVERSATION_CONFIG], useFactory: (config: ConversationConfig) => new FolderStorage(config.attachmentDir) },
  ],
  exports: [AttachmentsService],
})
export class AttachmentsModule {}
