import { Module } from '@nestjs/common';
import { UsageHandler } from './usage.handler.js';
import { UsageRepository } from './usage.repository.js';
import { UsageService } from './usage.service.js';

/** /integrations/usage: a row per tool call through the integration service. */
@Module({ controllers: [UsageHandler], providers: [UsageService, UsageRepository], exports: [UsageService] })
export class UsageModule {}
