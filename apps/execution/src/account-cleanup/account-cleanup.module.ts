import { Module } from '@nestjs/common';
import { UserDeletedHandler } from './user-deleted.handler.js';

@Module({ controllers: [UserDeletedHandler] })
export class AccountCleanupModule {}
