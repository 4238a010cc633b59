import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  AgentContracts,
  AgentCreatedReply,
  AgentIdRequest,
  AgentList,
  AgentSavedReply,
  AgentVersionList,
  AgentVersionRequest,
  AgentVersionView,
  AgentView,
  CreateAgentRequest,
  ListAgentsQuery,
  PublishAgentBody,
  UpdateAgentBody,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('agents')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('agents')
export class AgentsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Create an agent, from scratch or from a built-in template' })
  @ApiCreatedResponse({ type: AgentCreatedReply, description: 'The agent at version 1, with the consent links its tools need' })
  create(@Body() body: CreateAgentRequest, @CurrentActor() actor: Actor): Promise<AgentCreatedReply> {
    return this.bus.request(AgentContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'List your agents, newest first' })
  @ApiOkResponse({ type: AgentList })
  list(@Query() query: ListAgentsQuery, @CurrentActor() actor: Actor): Promise<AgentList> {
    return this.bus.request(AgentContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AgentView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read an agent' })
  get(@Param() params: AgentIdRequest, @CurrentActor() actor: Actor): Promise<AgentView> {
    return this.bus.request(AgentContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an agent; a change to a field a run reads makes a new version' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AgentSavedReply, description: 'The agent, with the consent links its tools still need' })
  @ProblemResponses(404, 409)
  update(@Param() params: AgentIdRequest, @Body() body: UpdateAgentBody, @CurrentActor() actor: Actor): Promise<AgentSavedReply> {
    return this.bus.request(AgentContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an agent; it can be restored during the retention period' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  async delete(@Param() params: AgentIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(AgentContracts.delete, params, { actor });
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bring back a deleted agent' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AgentView })
  @ProblemResponses(404, 409)
  restore(@Param() params: AgentIdRequest, @CurrentActor() actor: Actor): Promise<AgentView> {
    return this.bus.request(AgentContracts.restore, params, { actor });
  }

  @Get(':id/versions')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AgentVersionList })
  @ProblemResponses(404)
  @ApiOperation({ summary: "List an agent's versions" })
  listVersions(@Param() params: AgentIdRequest, @CurrentActor() actor: Actor): Promise<AgentVersionList> {
    return this.bus.request(AgentContracts.listVersions, params, { actor });
  }

  @Get(':id/versions/:version')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'version', type: 'integer' })
  @ApiOkResponse({ type: AgentVersionView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read one version of an agent' })
  getVersion(@Param() params: AgentVersionRequest, @CurrentActor() actor: Actor): Promise<AgentVersionView> {
    return this.bus.request(AgentContracts.getVersion, params, { actor });
  }

  @Post(':id/versions/:version/restore')
  @HttpCode(200)
  @ApiOperation({ summary: "Make an old version's configuration current again, as a new version" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'version', type: 'integer' })
  @ApiOkResponse({ type: AgentView })
  @ProblemResponses(404)
  restoreVersion(@Param() params: AgentVersionRequest, @CurrentActor() actor: Actor): Promise<AgentView> {
    return this.bus.request(AgentContracts.restoreVersion, params, { actor });
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a version (the current one by default) as the published one' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AgentView })
  @ProblemResponses(404)
  publish(@Param() params: AgentIdRequest, @Body() body: PublishAgentBody, @CurrentActor() actor: Actor): Promise<AgentView> {
    return this.bus.request(AgentContracts.publish, { ...body, id: params.id }, { actor });
  }
}
