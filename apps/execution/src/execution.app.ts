import type { BusServiceDefinition } from '#service-kit';
import { executionMigrations } from '../../../migrations/execution/index.js';
import { ExecutionModule } from './execution.module.js';
import { RunStepEntity } from './run-engine/run-step.entity.js';
import { RunEntity } from './run-engine/run.entity.js';
import { RunEventEntity } from './run-events/run-event.entity.js';
import { SessionEntity } from './sessions/session.entity.js';
import { UsageDailyEntity } from './usage/usage-daily.entity.js';
import { RunWebhookDeliveryEntity } from './run-webhooks/run-webhook-delivery.entity.js';
import { WebhookSecretEntity } from './run-webhooks/webhook-secret.entity.js';

export const executionApp: BusServiceDefinition = {
  name: 'execution',
  module: ExecutionModule,
  entities: [RunEntity, RunStepEntity, RunEventEntity, SessionEntity, UsageDailyEntity, WebhookSecretEntity, RunWebhookDeliveryEntity],
  migrations: executionMigrations,
};
