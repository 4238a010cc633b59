import { Module } from '@nestjs/common';
import { identityConfigProvider, IDENTITY_CONFIG } from '../identity-config.module.js';
import { Throttle } from './throttling.service.js';

@Module({ providers: [identityConfigProvider, Throttle], exports: [IDENTITY_CONFIG, Throttle] })
export class ThrottlingModule {}
