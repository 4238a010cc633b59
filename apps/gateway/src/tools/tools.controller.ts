import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  AvailableToolList,
  CreateHttpToolRequest,
  HttpToolContracts,
  HttpToolFields,
  HttpToolIdRequest,
  HttpToolList,
  HttpToolView,
  ListHttpToolsQuery,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('tools')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('tools')
export class ToolsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Define an HTTP tool: method, URL template, JSON-schema parameters and auth (a header stored encrypted, or an OAuth connection)' })
  @ApiCreatedResponse({ type: HttpToolView })
  @ProblemResponses(404, 409)
  create(@Body() body: CreateHttpToolRequest, @CurrentActor() actor: Actor): Promise<HttpToolView> {
    return this.bus.request(HttpToolContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'The built-in tools with their schemas, and your HTTP tools, newest first' })
  @ApiOkResponse({ type: HttpToolList })
  list(@Query() query: ListHttpToolsQuery, @CurrentActor() actor: Actor): Promise<HttpToolList> {
    return this.bus.request(HttpToolContracts.list, query, { actor });
  }

  @Get('available')
  @ApiOperation({ summary: "Every tool an agent of yours may use, each with the reference to put in the agent's tools" })
  @ApiOkResponse({ type: AvailableToolList })
  available(@CurrentActor() actor: Actor): Promise<AvailableToolList> {
    return this.bus.request(HttpToolContracts.available, {}, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HttpToolView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read a tool' })
  get(@Param() params: HttpToolIdRequest, @CurrentActor() actor: Actor): Promise<HttpToolView> {
    return this.bus.request(HttpToolContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HttpToolView })
  @ProblemResponses(404, 409)
  @ApiOperation({ summary: 'Change a tool' })
  update(@Param() params: HttpToolIdRequest, @Body() body: HttpToolFields, @CurrentActor() actor: Actor): Promise<HttpToolView> {
    return this.bus.request(HttpToolContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Delete a tool' })
  async delete(@Param() params: HttpToolIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(HttpToolContracts.delete, params, { actor });
  }
}
