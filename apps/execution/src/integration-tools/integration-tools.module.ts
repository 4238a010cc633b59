import { Module } from '@nestjs/common';
import { ToolsModule } from '../tools/tools.module.js';
import { IntegrationToolSource } from './integration-tool-source.js';

/** MCP server tools, registry HTTP tools and provider APIs for agent runs, called through the integration service. */
@Module({ imports: [ToolsModule], providers: [IntegrationToolSource] })
export class IntegrationToolsModule {}
