import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Actor, ListRunsQuery, ResumeRunBody, RunContracts, RunIdRequest, RunPage, RunView, StepList } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';
import { RunEventsQuery, resumePointOf } from './run-events-query.js';
import { RunsService, SSE_FORMAT_DESCRIPTION } from './runs.service.js';

@ApiTags('runs')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('runs')
export class RunsController {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly runs: RunsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List your runs, newest first; filter by status, agent, workflow or conversation' })
  @ApiOkResponse({ type: RunPage })
  list(@Query() query: ListRunsQuery, @CurrentActor() actor: Actor): Promise<RunPage> {
    return this.bus.request(RunContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A run: its status, output (partial while running or when it ended early), error, usage and limits' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: RunView })
  get(@Param() params: RunIdRequest, @CurrentActor() actor: Actor): Promise<RunView> {
    return this.bus.request(RunContracts.get, params, { actor });
  }

  @Get(':id/steps')
  @ApiOperation({ summary: 'The steps of a run in order: model calls (llm:1, llm:2, ...), tool calls, waits for input' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: StepList })
  steps(@Param() params: RunIdRequest, @CurrentActor() actor: Actor): Promise<StepList> {
    return this.bus.request(RunContracts.steps, params, { actor });
  }

  @Get(':id/events')
  @ApiOperation({
    summary: "Follow a run as Server-Sent Events: its stored events are replayed, then new ones as they happen (an ended run's are replayed, then the stream closes)",
    description: `${SSE_FORMAT_DESCRIPTION} Reconnect with the \`Last-Event-ID\` header (or \`?after=\`) to get exactly the events after that one.`,
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received: the replay starts after it' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  async events(
    @Param() params: RunIdRequest,
    @Query() query: RunEventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.runs.follow(actor, params.id, resumePointOf(lastEventId, query), request, reply);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a run: it stops at once (a model call in flight is aborted); what it said so far stays as partial output' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: RunView })
  @ProblemResponses(409)
  cancel(@Param() params: RunIdRequest, @CurrentActor() actor: Actor): Promise<RunView> {
    return this.bus.request(RunContracts.cancel, params, { actor });
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer the client tool calls of a run in requires_action; the run continues in the background',
    description: 'Follow it with GET /runs/:id/events (after the last event you saw) or poll GET /runs/:id.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: RunView })
  @ProblemResponses(409)
  resume(@Param() params: RunIdRequest, @Body() body: ResumeRunBody, @CurrentActor() actor: Actor): Promise<RunView> {
    return this.bus.request(RunContracts.resume, { ...body, id: params.id }, { actor });
  }
}
