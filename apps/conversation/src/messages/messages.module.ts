import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesHandler } from './messages.handler.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';

/** Messages, a tree per conversation. Every write changes its conversation (through ConversationsService). */
@Module({
  imports: [ConversationsModule],
  controllers: [MessagesHandler],
  providers: [MessagesService, MessagesRepository],
  exports: [MessagesService],
})
export class MessagesModule {}
