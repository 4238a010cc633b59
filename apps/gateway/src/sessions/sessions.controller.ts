import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, SessionContracts, SessionIdRequest, SessionView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('sessions')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('sessions')
export class SessionsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get(':id')
  @ApiOperation({ summary: 'An agent session: its context, variables, message count, tools used and recent errors' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SessionView })
  get(@Param() params: SessionIdRequest, @CurrentActor() actor: Actor): Promise<SessionView> {
    return this.bus.request(SessionContracts.get, params, { actor });
  }
}
