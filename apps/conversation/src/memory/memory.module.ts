import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MemoryHandler } from './memory.handler.js';
import { MemoryService } from './memory.service.js';

@Module({ imports: [ConversationsModule], controllers: [MemoryHandler], providers: [MemoryService] })
export class MemoryModule {}
