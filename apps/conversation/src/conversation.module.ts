import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';

@Module({ imports: [AccountCleanupModule] })
export class ConversationModule {}
