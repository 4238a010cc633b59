import { Module } from '@nestjs/common';
import { ThrottlingService } from './throttling.service.js';

@Module({ providers: [ThrottlingService], exports: [ThrottlingService] })
export class ThrottlingModule {}
