import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, PublicLinkContracts, PublicRunRequest, PublicRunView, PublicTokenRequest, PublicWorkflowForm, StartPublicRunBody } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { ProblemResponses } from '../http/openapi.js';

/** Longest a public run request waits: the workflow service waits up to 20 s for the run, plus the start. */
const PUBLIC_RUN_TIMEOUT_MS = 30_000;

/** /public/workflows/:token: a published workflow run through its public link, with no account (rate-limited per link and per client address). */
@ApiTags('public workflows')
@ProblemResponses(400, 404, 429, 503, 504)
@Controller('public/workflows')
export class PublicWorkflowsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get(':token')
  @ApiOperation({ summary: 'The form of a public workflow: what a run asks for and answers' })
  @ApiParam({ name: 'token' })
  @ApiOkResponse({ type: PublicWorkflowForm })
  form(@Param() params: PublicTokenRequest, @CurrentActor() actor: Actor): Promise<PublicWorkflowForm> {
    return this.bus.request(PublicLinkContracts.form, params, { actor });
  }

  @Post(':token/runs')
  @ApiOperation({ summary: 'Run the public workflow (billed to its owner); answers once it ends, or with its status after 20 s' })
  @ApiParam({ name: 'token' })
  @ApiOkResponse({ type: PublicRunView })
  startRun(@Param() params: PublicTokenRequest, @Body() body: StartPublicRunBody, @CurrentActor() actor: Actor): Promise<PublicRunView> {
    return this.bus.request(PublicLinkContracts.startRun, { ...body, token: params.token }, { actor, timeoutMs: PUBLIC_RUN_TIMEOUT_MS });
  }

  @Get(':token/runs/:runId')
  @ApiOperation({ summary: 'A run this public link started' })
  @ApiParam({ name: 'token' })
  @ApiParam({ name: 'runId', format: 'uuid' })
  @ApiOkResponse({ type: PublicRunView })
  getRun(@Param() params: PublicRunRequest, @CurrentActor() actor: Actor): Promise<PublicRunView> {
    return this.bus.request(PublicLinkContracts.getRun, params, { actor });
  }
}
