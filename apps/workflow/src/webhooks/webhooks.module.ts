import { Module } from '@nestjs/common';
import { keyringProvider } from '#service-kit';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { WebhookDeliveriesPurge } from './webhook-deliveries-purge.js';
import { WebhooksHandler } from './webhooks.handler.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Inbound webhook triggers of workflows: signed deliveries start runs. */
@Module({ imports: [WorkflowsModule], controllers: [WebhooksHandler], providers: [WebhooksService, WebhooksRepository, WebhookDeliveriesPurge, keyringProvider], exports: [WebhooksService] })
export class WebhooksModule {}
