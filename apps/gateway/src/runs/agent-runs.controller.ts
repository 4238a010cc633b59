import { Body, Controller, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { type Actor, AgentIdRequest, RunModeQuery, RunView, StartAgentRunBody } from '#contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses, RUN_STREAM_CONTENT } from '../http/openapi.js';
import { IdempotencyKeyHeader, RUN_MODES_DESCRIPTION, RunsService } from './runs.service.js';

@ApiTags('runs')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 409, 429, 503, 504)
@Controller()
export class AgentRunsController {
  constructor(private readonly runs: RunsService) {}

  @Post('agents/:id/runs')
  @ApiOperation({ summary: 'Run an agent on a message', description: RUN_MODES_DESCRIPTION })
  @ApiParam({ name: 'id', format: 'uuid' })
  @IdempotencyKeyHeader
  @ApiBody({ type: StartAgentRunBody })
  @ApiOkResponse({ description: 'The settled run (wait mode), or the event stream (stream=true)', content: { 'application/json': { schema: { $ref: getSchemaPath(RunView) } }, ...RUN_STREAM_CONTENT } })
  @ApiAcceptedResponse({ type: RunView, description: 'background=true: the run, queued' })
  async start(
    @Param() params: AgentIdRequest,
    @Query() query: RunModeQuery,
    @Body() body: StartAgentRunBody,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const mode = this.runs.modeOf(query);
    const idempotencyKey = this.runs.idempotencyKeyOf(request);
    await this.runs.start(actor, request, reply, { ...body, agentId: params.id, ...(idempotencyKey ? { idempotencyKey } : {}) }, mode);
  }
}
