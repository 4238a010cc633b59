import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, CreateScheduleRequest, ListSchedulesQuery, ScheduleContracts, ScheduleIdRequest, ScheduleList, ScheduleView, UpdateScheduleBody } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

/** /schedules: cron schedules (with a time zone) of workflows and automation agents. */
@ApiTags('schedules')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('schedules')
export class SchedulesController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Schedule a workflow (inputs) or an automation agent (input): each tick starts one background run billed to you' })
  @ApiCreatedResponse({ type: ScheduleView })
  @ProblemResponses(404)
  create(@Body() body: CreateScheduleRequest, @CurrentActor() actor: Actor): Promise<ScheduleView> {
    return this.bus.request(ScheduleContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'Your schedules, newest first, with their next fire times' })
  @ApiOkResponse({ type: ScheduleList })
  list(@Query() query: ListSchedulesQuery, @CurrentActor() actor: Actor): Promise<ScheduleList> {
    return this.bus.request(ScheduleContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ScheduleView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read a schedule' })
  get(@Param() params: ScheduleIdRequest, @CurrentActor() actor: Actor): Promise<ScheduleView> {
    return this.bus.request(ScheduleContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change, pause (paused: true) or resume (paused: false) a schedule' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ScheduleView })
  @ProblemResponses(404)
  update(@Param() params: ScheduleIdRequest, @Body() body: UpdateScheduleBody, @CurrentActor() actor: Actor): Promise<ScheduleView> {
    return this.bus.request(ScheduleContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Delete a schedule' })
  async delete(@Param() params: ScheduleIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(ScheduleContracts.delete, params, { actor });
  }
}
