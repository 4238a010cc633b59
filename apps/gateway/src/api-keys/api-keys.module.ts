import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller.js';

/** /api-keys: the caller's API keys. */
@Module({ controllers: [ApiKeysController] })
export class ApiKeysModule {}
