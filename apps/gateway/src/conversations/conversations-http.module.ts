import { Module } from '@nestjs/common';

/** HTTP routes of the conversation service. */
@Module({})
export class ConversationsHttpModule {}
