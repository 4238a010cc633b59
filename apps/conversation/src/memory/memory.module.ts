import { Module } from '@nestjs/common';
import { MemoryCopiesModule } from '../memory-copies/memory-copies.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { MemoryHandler } from './memory.handler.js';
import { MemoryRepository } from './memory.repository.js';
import { MemoryService } from './memory.service.js';
import { SqlMemoryBackend } from './sql.backend.js';

/** Run memory: the window of a branch a run's model sees, and the summaries runs write. */
@Module({
  imports: [MessagesModule, MemoryCopiesModule],
  controllers: [MemoryHandler],
  providers: [MemoryService, MemoryRepository, SqlMemoryBackend],
  exports: [MemoryService],
})
export class MemoryModule {}
