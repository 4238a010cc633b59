import type { BusServiceDefinition } from '#service-kit';
import { workflowMigrations } from '../../../migrations/workflow/index.js';
import { PublicLinkRunEntity } from './public-links/public-link-run.entity.js';
import { PublicLinkEntity } from './public-links/public-link.entity.js';
import { RateLimitEntity } from './public-links/rate-limit.entity.js';
import { ScheduleFireEntity } from './schedules/schedule-fire.entity.js';
import { ScheduleEntity } from './schedules/schedule.entity.js';
import { WebhookDeliveryEntity } from './webhooks/webhook-delivery.entity.js';
import { WebhookTriggerEntity } from './webhooks/webhook-trigger.entity.js';
import { WorkflowModule } from './workflow.module.js';
import { WorkflowVersionEntity } from './workflows/workflow-version.entity.js';
import { WorkflowEntity } from './workflows/workflow.entity.js';

export const workflowApp: BusServiceDefinition = {
  name: 'workflow',
  module: WorkflowModule,
  entities: [WorkflowEntity, WorkflowVersionEntity, PublicLinkEntity, PublicLinkRunEntity, RateLimitEntity, ScheduleEntity, ScheduleFireEntity, WebhookTriggerEntity, WebhookDeliveryEntity],
  migrations: workflowMigrations,
};
