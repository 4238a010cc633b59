import { Module } from '@nestjs/common';
import { RunEngineModule } from '../run-engine/run-engine.module.js';
import { ResolvedAgentsModule } from '../resolved-agents/resolved-agents.module.js';
import { RunEventsModule } from '../run-events/run-events.module.js';
import { RunWebhooksModule } from '../run-webhooks/run-webhooks.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { RunsHandler } from './runs.handler.js';
import { RunsService } from './runs.service.js';

/** The run API the gateway calls: start, read, follow, cancel and resume runs. */
@Module({ imports: [RunEngineModule, RunEventsModule, SessionsModule, RunWebhooksModule, ResolvedAgentsModule], controllers: [RunsHandler], providers: [RunsService], exports: [RunsService] })
export class RunsModule {}
