import { Module } from '@nestjs/common';
import { ConversationsHandler } from './conversations.handler.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import { TargetOwnership } from './target-ownership.js';

/** Conversations: the other features reach them through ConversationsService. */
@Module({
  controllers: [ConversationsHandler],
  providers: [ConversationsService, ConversationsRepository, TargetOwnership],
  exports: [ConversationsService],
})
export class ConversationsModule {}
