import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { ToolRegistryHandler } from './tool-registry.handler.js';
import { ToolRegistryRepository } from './tool-registry.repository.js';
import { ToolRegistryService } from './tool-registry.service.js';

/** /tools: HTTP tools users define, listed with the built-ins. */
@Module({ imports: [SecretsModule, ConnectionsModule], controllers: [ToolRegistryHandler], providers: [ToolRegistryService, ToolRegistryRepository], exports: [ToolRegistryService] })
export class ToolRegistryModule {}
