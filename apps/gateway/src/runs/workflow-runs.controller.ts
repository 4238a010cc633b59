import { Body, Controller, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { type Actor, RunModeQuery, RunView, StartWorkflowRunBody, WorkflowRunParams } from '#contracts';
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
export class WorkflowRunsController {
  constructor(private readonly runs: RunsService) {}

  @Post('workflows/:id/runs')
  @ApiOperation({
    summary: 'Run a workflow on its inputs',
    description: `${RUN_MODES_DESCRIPTION} Node events (node.started, node.completed, node.failed) join the run's stream; a human node parks the run in requires_action until POST /runs/:id/resume with \`input\`.`,
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @IdempotencyKeyHeader
  @ApiBody({ type: StartWorkflowRunBody })
  @ApiOkResponse({ description: 'The settled run (wait mode): output holds the workflow outputs; or the event stream (stream=true)', content: { 'application/json': { schema: { $ref: getSchemaPath(RunView) } }, ...RUN_STREAM_CONTENT } })
  @ApiAcceptedResponse({ type: RunView, description: 'background=true: the run, queued' })
  async start(
    @Param() params: WorkflowRunParams,
    @Query() query: RunModeQuery,
    @Body() body: StartWorkflowRunBody,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const mode = this.runs.modeOf(query);
    const idempotencyKey = this.runs.idempotencyKeyOf(request);
    await this.runs.startWorkflow(actor, request, reply, { ...body, workflowId: params.id, ...(idempotencyKey ? { idempotencyKey } : {}) }, mode);
  }
}
