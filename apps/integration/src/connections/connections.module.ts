import { Module } from '@nestjs/common';
import { IntegrationEventsModule } from '../integration-events/integration-events.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { AgentOwnership } from './agent-ownership.js';
import { ConnectionsHandler } from './connections.handler.js';
import { ConnectionsRepository } from './connections.repository.js';
import { ConnectionsService } from './connections.service.js';

/** OAuth connections: providers, authorization with PKCE, the callback, refresh and revocation. */
@Module({ imports: [SecretsModule, IntegrationEventsModule], controllers: [ConnectionsHandler], providers: [ConnectionsService, ConnectionsRepository, AgentOwnership], exports: [ConnectionsService] })
export class ConnectionsModule {}
