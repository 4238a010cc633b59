import { Module } from '@nestjs/common';
import { keyringProvider } from '#service-kit';
import { CredentialNoticesModule } from '../credential-notices/credential-notices.module.js';
import { SettingsHandler } from './settings.handler.js';
import { SettingsRepository } from './settings.repository.js';
import { SettingsService } from './settings.service.js';

@Module({ imports: [CredentialNoticesModule], controllers: [SettingsHandler], providers: [SettingsService, SettingsRepository, keyringProvider], exports: [SettingsService] })
export class SettingsModule {}
