import { Module } from '@nestjs/common';
import { IntegrationUsageController } from './integration-usage.controller.js';
import { IntegrationsController } from './integrations.controller.js';
import { OAuthCallbackController } from './oauth-callback.controller.js';

/** /integrations: OAuth providers, authorization and its callback, and tool usage. */
@Module({ controllers: [IntegrationUsageController, IntegrationsController, OAuthCallbackController] })
export class IntegrationsModule {}
