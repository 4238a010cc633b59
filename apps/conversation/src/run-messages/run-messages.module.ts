import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module.js';
import { RunMessagesHandler } from './run-messages.handler.js';
import { RunMessagesService } from './run-messages.service.js';

/** The messages the execution service writes for a run (conversation.runs.append-*). */
@Module({ imports: [MessagesModule], controllers: [RunMessagesHandler], providers: [RunMessagesService], exports: [RunMessagesService] })
export class RunMessagesModule {}
