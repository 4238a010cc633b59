import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { AgentDeletedHandler } from './agent-deleted.handler.js';
import { UserDeletedHandler } from './user-deleted.handler.js';

@Module({ imports: [ConversationsModule, AttachmentsModule], controllers: [UserDeletedHandler, AgentDeletedHandler] })
export class AccountCleanupModule {}
