import { Module } from '@nestjs/common';
import { AccountCleanupHandler } from './account-cleanup.handler.js';

@Module({ controllers: [AccountCleanupHandler] })
export class AccountCleanupModule {}
