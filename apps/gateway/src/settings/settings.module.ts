import { Module } from '@nestjs/common';
import { SettingsController } from './settings.controller.js';

/** /settings: preferences and provider keys. */
@Module({ controllers: [SettingsController] })
export class SettingsModule {}
