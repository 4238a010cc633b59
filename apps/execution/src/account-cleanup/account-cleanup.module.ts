import { Module } from '@nestjs/common';
import { ProviderKeysModule } from '../provider-keys/provider-keys.module.js';
import { RunEngineModule } from '../run-engine/run-engine.module.js';
import { RunWebhooksModule } from '../run-webhooks/run-webhooks.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { AccountCleanupHandler } from './account-cleanup.handler.js';
import { AccountCleanupService } from './account-cleanup.service.js';

@Module({ imports: [RunEngineModule, SessionsModule, UsageModule, RunWebhooksModule, ProviderKeysModule], controllers: [AccountCleanupHandler], providers: [AccountCleanupService], exports: [AccountCleanupService] })
export class AccountCleanupModule {}
