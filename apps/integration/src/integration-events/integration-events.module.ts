import { Module } from '@nestjs/common';
import { IntegrationEventsHandler } from './integration-events.handler.js';
import { IntegrationEventsRepository } from './integration-events.repository.js';
import { IntegrationEventsService } from './integration-events.service.js';

/** /integration-events: the append-only log of connections and MCP servers. */
@Module({ controllers: [IntegrationEventsHandler], providers: [IntegrationEventsService, IntegrationEventsRepository], exports: [IntegrationEventsService] })
export class IntegrationEventsModule {}
