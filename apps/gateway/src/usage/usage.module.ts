import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller.js';

/** /usage: model usage and cost. */
@Module({ controllers: [UsageController] })
export class UsageModule {}
