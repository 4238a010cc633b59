import { Body, Controller, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Actor, AgentIdRequest, RunModeQuery, RunView, StartAgentRunBody } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';
import { idempotencyKeyOf, runModeOf, serveRunStart } from './run-modes.js';
import { SSE_FORMAT_DESCRIPTION } from './runs.controller.js';

export const RUN_MODES_DESCRIPTION =
  'By default the reply waits for the run to end (or to need client tool results: requires_action) and is 200 with the run. ' +
  '`?background=true`: 202 at once with the pending run; a notification tells you when it ends. ' +
  `\`?stream=true\`: ${SSE_FORMAT_DESCRIPTION} ` +
  'An `Idempotency-Key` header (1-255 printable ASCII characters) makes a retry return the run the first request started.';

/** Idempotency-Key, documented the same on both routes that start runs. */
export const IdempotencyKeyHeader = ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the same run instead of starting another' });

@ApiTags('runs')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 409, 429, 503, 504)
@Controller()
export class AgentRunsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post('agents/:id/runs')
  @ApiOperation({ summary: 'Run an agent on a message', description: RUN_MODES_DESCRIPTION })
  @ApiParam({ name: 'id', format: 'uuid' })
  @IdempotencyKeyHeader
  @ApiBody({ type: StartAgentRunBody })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: RunView, description: 'The settled run (wait mode), or the event stream (stream=true)' })
  @ApiAcceptedResponse({ type: RunView, description: 'background=true: the run, queued' })
  async start(
    @Param() params: AgentIdRequest,
    @Query() query: RunModeQuery,
    @Body() body: StartAgentRunBody,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const mode = runModeOf(query);
    const idempotencyKey = idempotencyKeyOf(request);
    await serveRunStart(this.bus, actor, request, reply, { ...body, agentId: params.id, ...(idempotencyKey ? { idempotencyKey } : {}) }, mode);
  }
}
