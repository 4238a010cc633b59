import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module.js';
import { UsageRunHook } from './usage-run-hook.js';
import { UsageHandler } from './usage.handler.js';
import { UsageRepository } from './usage.repository.js';

@Module({ imports: [RunsModule], controllers: [UsageHandler], providers: [UsageRepository, UsageRunHook], exports: [UsageRepository] })
export class UsageModule {}
