import { Module } from '@nestjs/common';
import { IntegrationUsageController } from './integration-usage.controller.js';

/** /integrations: tool usage. */
@Module({ controllers: [IntegrationUsageController] })
export class IntegrationsModule {}
