import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module.js';
import { McpServersModule } from '../mcp-servers/mcp-servers.module.js';
import { ToolRegistryModule } from '../tool-registry/tool-registry.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ToolCatalogHandler } from './tool-catalog.handler.js';
import { ToolCatalogService } from './tool-catalog.service.js';

/** Tools as a whole: reference checks for savers, GET /tools/available, and a run's tools and calls for the execution service. */
@Module({ imports: [ToolRegistryModule, McpServersModule, UsageModule, ConnectionsModule], controllers: [ToolCatalogHandler], providers: [ToolCatalogService] })
export class ToolCatalogModule {}
