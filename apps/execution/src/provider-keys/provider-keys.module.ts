import { Module } from '@nestjs/common';
import { ProviderKeysService } from './provider-keys.service.js';

/** Users' stored provider keys, revealed by identity and kept until identity says they changed. */
@Module({ providers: [ProviderKeysService], exports: [ProviderKeysService] })
export class ProviderKeysModule {}
