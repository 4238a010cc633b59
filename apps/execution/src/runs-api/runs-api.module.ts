import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { RunsApiHandler } from './runs-api.handler.js';
import { RunsApiService } from './runs-api.service.js';

@Module({ imports: [RunsModule, SessionsModule], controllers: [RunsApiHandler], providers: [RunsApiService] })
export class RunsApiModule {}
