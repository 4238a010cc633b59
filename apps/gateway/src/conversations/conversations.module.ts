import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module.js';
import { ConversationsController } from './conversations.controller.js';

/** /conversations: conversations, their messages and attachments; sending a message runs the agent through the runs feature. */
@Module({ imports: [RunsModule], controllers: [ConversationsController] })
export class ConversationsModule {}
