import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  CreateMcpServerRequest,
  ListMcpServersQuery,
  McpCheckReply,
  McpCredentialsBody,
  McpServerContracts,
  McpServerFields,
  McpServerIdRequest,
  McpServerList,
  McpServerView,
  McpToolList,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('mcp-servers')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('mcp-servers')
export class McpServersController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Register an MCP server (Streamable HTTP, HTTP+SSE, or an allowlisted stdio command); headers and environment values are stored encrypted and never shown' })
  @ApiCreatedResponse({ type: McpServerView })
  @ProblemResponses(403, 404)
  create(@Body() body: CreateMcpServerRequest, @CurrentActor() actor: Actor): Promise<McpServerView> {
    return this.bus.request(McpServerContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'Your MCP servers and the shared ones, newest first' })
  @ApiOkResponse({ type: McpServerList })
  list(@Query() query: ListMcpServersQuery, @CurrentActor() actor: Actor): Promise<McpServerList> {
    return this.bus.request(McpServerContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: McpServerView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read an MCP server' })
  get(@Param() params: McpServerIdRequest, @CurrentActor() actor: Actor): Promise<McpServerView> {
    return this.bus.request(McpServerContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: McpServerView })
  @ProblemResponses(403, 404)
  @ApiOperation({ summary: 'Change an MCP server' })
  update(@Param() params: McpServerIdRequest, @Body() body: McpServerFields, @CurrentActor() actor: Actor): Promise<McpServerView> {
    return this.bus.request(McpServerContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(403, 404)
  @ApiOperation({ summary: 'Delete an MCP server' })
  async delete(@Param() params: McpServerIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(McpServerContracts.delete, params, { actor });
  }

  @Post(':id/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Connect now: health, tool discovery, and the status history' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: McpCheckReply })
  @ProblemResponses(404)
  check(@Param() params: McpServerIdRequest, @CurrentActor() actor: Actor): Promise<McpCheckReply> {
    return this.bus.request(McpServerContracts.check, params, { actor });
  }

  @Get(':id/tools')
  @ApiOperation({ summary: "The server's tools with their schemas (cached; refreshed when the server says its list changed)" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: McpToolList })
  @ProblemResponses(404)
  tools(@Param() params: McpServerIdRequest, @CurrentActor() actor: Actor): Promise<McpToolList> {
    return this.bus.request(McpServerContracts.tools, params, { actor });
  }

  @Put(':id/credentials')
  @ApiOperation({ summary: "Fill in your own values for a server's credential slots (write-only)" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: McpServerView })
  @ProblemResponses(404)
  setCredentials(@Param() params: McpServerIdRequest, @Body() body: McpCredentialsBody, @CurrentActor() actor: Actor): Promise<McpServerView> {
    return this.bus.request(McpServerContracts.setCredentials, { ...body, id: params.id }, { actor });
  }
}
