import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MemoryCopiesModule } from '../memory-copies/memory-copies.module.js';
import { MessagesHandler } from './messages.handler.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';

/** Messages, a tree per conversation. Every write changes its conversation (through ConversationsService) and feeds the memory copies. */
@Module({
  imports: [ConversationsModule, MemoryCopiesModule],
  controllers: [MessagesHandler],
  providers: [MessagesService, MessagesRepository],
  exports: [MessagesService],
})
export class MessagesModule {}
