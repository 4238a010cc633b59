import { Module } from '@nestjs/common';
import { RunEventsModule } from '../run-events/run-events.module.js';
import { RunWebhooksModule } from '../run-webhooks/run-webhooks.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { EphemeralKeys } from './ephemeral-keys.js';
import { ExecutorRegistry } from './executor-registry.js';
import { RunEndings } from './run-endings.js';
import { RunEngineRepository } from './run-engine.repository.js';
import { RunEngineService } from './run-engine.service.js';
import { RunQueueMetrics } from './run-queue-metrics.js';
import { RunRetention } from './run-retention.js';
import { RunStages } from './run-stages.js';
import { RunWorker } from './run-worker.js';

/** The run queue and its workers: claims, leases, heartbeats, retries, endings, the step journal, executors, keys sent with a request. */
@Module({
  imports: [RunEventsModule, SessionsModule, UsageModule, RunWebhooksModule],
  providers: [RunEngineService, RunEngineRepository, RunWorker, RunEndings, ExecutorRegistry, EphemeralKeys, RunRetention, RunQueueMetrics, RunStages],
  exports: [RunEngineService, RunStages],
})
export class RunEngineModule {}
