import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller.js';

/** /messages/:id: editing (branching), deleting and restoring one message. */
@Module({ controllers: [MessagesController] })
export class MessagesModule {}
