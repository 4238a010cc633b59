import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [ConversationsModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService], exports: [AccountCleanupService] })
export class AccountCleanupModule {}
