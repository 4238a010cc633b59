import { Module } from '@nestjs/common';
import { AttachmentsController } from './attachments.controller.js';
import { ConversationsController } from './conversations.controller.js';
import { MessagesController } from './messages.controller.js';
import { SearchController } from './search.controller.js';

/** HTTP routes of the conversation service. */
@Module({ controllers: [ConversationsController, MessagesController, SearchController, AttachmentsController] })
export class ConversationsHttpModule {}
