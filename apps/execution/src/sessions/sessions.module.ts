import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module.js';
import { SessionRunHook } from './session-run-hook.js';
import { SessionsHandler } from './sessions.handler.js';
import { SessionsRepository } from './sessions.repository.js';

@Module({ imports: [RunsModule], controllers: [SessionsHandler], providers: [SessionsRepository, SessionRunHook], exports: [SessionsRepository] })
export class SessionsModule {}
