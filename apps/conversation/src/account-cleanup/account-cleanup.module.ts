import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [ConversationsModule, AttachmentsModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService], exports: [AccountCleanupService] })
export class AccountCleanupModule {}
