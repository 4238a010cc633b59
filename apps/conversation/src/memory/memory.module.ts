import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { InMemoryMemoryBackend } from './in-memory.backend.js';
import { MemoryHandler } from './memory.handler.js';
import { MemoryRepository } from './memory.repository.js';
import { MemoryService } from './memory.service.js';
import { SqlMemoryBackend } from './sql.backend.js';

/** Run memory: the window of a branch a run's model sees, and the summaries runs write. */
@Module({
  imports: [ConversationsModule, MessagesModule],
  controllers: [MemoryHandler],
  providers: [MemoryService, MemoryRepository, SqlMemoryBackend, InMemoryMemoryBackend],
  exports: [MemoryService],
})
export class MemoryModule {}
