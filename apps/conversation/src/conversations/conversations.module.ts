import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type ConversationConfig, PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { FileBackend } from '../memory/file.backend.js';
import { InMemoryBackend } from '../memory/in-memory.backend.js';
import { MEMORY_BACKEND, type MemoryBackend } from '../memory/memory-backend.js';
import { SqlMemoryBackend } from '../memory/sql.backend.js';
import { MessagesHandler } from '../messages/messages.handler.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { MessagesService } from '../messages/messages.service.js';
import { ConversationsHandler } from './conversations.handler.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import { TargetOwnership } from './target-ownership.js';

/**
 * Conversations and their messages: one module, because every message write changes its
 * conversation (totals, leaf, title) in the same transaction. The memory backend lives here
 * because message writes feed it.
 */
@Module({
  controllers: [ConversationsHandler, MessagesHandler],
  providers: [
    ConversationsRepository,
    MessagesRepository,
    TargetOwnership,
    ConversationsService,
    MessagesService,
    SqlMemoryBackend,
    {
      provide: MEMORY_BACKEND,
      inject: [CONVERSATION_CONFIG, PLATFORM_CONFIG, SqlMemoryBackend],
      useFactory: (config: ConversationConfig, platform: PlatformConfig, sql: SqlMemoryBackend): MemoryBackend => {
        switch (config.memoryBackend) {
          case 'sql':
            return sql;
          case 'file':
            return new FileBackend(join(platform.dataDir, 'memory'));
          case 'in_memory':
            return new InMemoryBackend();
          default: {
            const unreachable: never = config.memoryBackend;
            return unreachable;
          }
        }
      },
    },
  ],
  exports: [ConversationsRepository, MessagesRepository, ConversationsService, MessagesService, MEMORY_BACKEND],
})
export class ConversationsModule {}
