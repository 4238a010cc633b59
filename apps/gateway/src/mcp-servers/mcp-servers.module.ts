import { Module } from '@nestjs/common';
import { McpServersController } from './mcp-servers.controller.js';

/** /mcp-servers: the MCP server registry. */
@Module({ controllers: [McpServersController] })
export class McpServersModule {}
