import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { ConversationConfigModule } from './conversation-config.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { MemoryModule } from './memory/memory.module.js';
import { PurgeModule } from './purge/purge.module.js';
import { RunsModule } from './runs/runs.module.js';
import { SearchModule } from './search/search.module.js';

@Module({
  imports: [ConversationConfigModule, ConversationsModule, SearchModule, AttachmentsModule, RunsModule, MemoryModule, PurgeModule, AccountCleanupModule],
})
export class ConversationModule {}
