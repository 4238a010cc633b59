import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { RunsHandler } from './runs.handler.js';
import { RunsService } from './runs.service.js';

@Module({ imports: [ConversationsModule], controllers: [RunsHandler], providers: [RunsService] })
export class RunsModule {}
