import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { PurgeService } from './purge.service.js';

@Module({ imports: [ConversationsModule, MessagesModule], providers: [PurgeService], exports: [PurgeService] })
export class PurgeModule {}
