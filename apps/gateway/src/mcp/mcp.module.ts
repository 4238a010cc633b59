import { Module, RequestMethod } from '@nestjs/common';
import { RunTargetsModule } from '../run-targets/run-targets.module.js';
import { RunsModule } from '../runs/runs.module.js';
import { McpController } from './mcp.controller.js';
import { McpService } from './mcp.service.js';

/** /mcp lives outside the API prefix, where MCP clients are pointed. */
export const MCP_ROUTES = [{ path: 'mcp', method: RequestMethod.ALL }];

/** /mcp: the caller's published agents and workflows as the tools of an MCP server (Streamable HTTP), every call a run. */
@Module({ imports: [RunsModule, RunTargetsModule], controllers: [McpController], providers: [McpService], exports: [McpService] })
export class McpModule {}
