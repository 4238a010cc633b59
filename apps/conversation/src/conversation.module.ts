import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { ConversationConfigModule } from './conversation-config.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { MemoryModule } from './memory/memory.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { PurgeModule } from './purge/purge.module.js';
import { RunMessagesModule } from './run-messages/run-messages.module.js';
import { SearchModule } from './search/search.module.js';

/**
 * The features, each reaching the others only through their services, in one direction:
 * conversations <- messages <- (run-messages, memory, attachments); memory also hears conversations' changes;
 * purge and account-cleanup use conversations, messages and attachments; search stands alone.
 */
@Module({
  imports: [
    ConversationConfigModule,
    ConversationsModule,
    MessagesModule,
    MemoryModule,
    RunMessagesModule,
    SearchModule,
    AttachmentsModule,
    PurgeModule,
    AccountCleanupModule,
  ],
})
export class ConversationModule {}
