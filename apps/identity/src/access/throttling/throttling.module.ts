import { Module } from '@nestjs/common';
import { identityConfigProvider, IDENTITY_CONFIG } from './identity-config.provider.js';
import { Throttle } from './throttle.js';

@Module({ providers: [identityConfigProvider, Throttle], exports: [IDENTITY_CONFIG, Throttle] })
export class ThrottlingModule {}
