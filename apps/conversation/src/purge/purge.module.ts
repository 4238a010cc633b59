import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { PurgeService } from './purge.service.js';

@Module({ imports: [ConversationsModule, MessagesModule, AttachmentsModule], providers: [PurgeService], exports: [PurgeService] })
export class PurgeModule {}
