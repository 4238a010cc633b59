import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, IntegrationEventContracts, IntegrationEventList, ListIntegrationEventsQuery } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('integrations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('integration-events')
export class IntegrationEventsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'What happened to your connections and MCP servers, newest first (append-only)' })
  @ApiOkResponse({ type: IntegrationEventList })
  list(@Query() query: ListIntegrationEventsQuery, @CurrentActor() actor: Actor): Promise<IntegrationEventList> {
    return this.bus.request(IntegrationEventContracts.list, query, { actor });
  }
}
