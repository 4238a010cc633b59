import { Module } from '@nestjs/common';
import { IntegrationEventsController } from './integration-events.controller.js';

/** /integration-events: the log of connections and MCP servers. */
@Module({ controllers: [IntegrationEventsController] })
export class IntegrationEventsModule {}
