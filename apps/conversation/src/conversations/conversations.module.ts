import { Module } from '@nestjs/common';
import { ProjectOwnership } from '#service-kit';
import { ConversationsHandler } from './conversations.handler.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import { TargetOwnership } from './target-ownership.js';

/** Conversations: the other features reach them through ConversationsService. */
@Module({
  controllers: [ConversationsHandler],
  providers: [ConversationsService, ConversationsRepository, TargetOwnership, ProjectOwnership],
  exports: [ConversationsService],
})
export class ConversationsModule {}
