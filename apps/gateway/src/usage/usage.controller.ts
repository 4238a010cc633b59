import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, UsageContracts, UsageQuery, UsageReport } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('usage')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('usage')
export class UsageController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Your model usage between two days (UTC, inclusive): model calls, runs, tokens and cost, by day, agent or model' })
  @ApiOkResponse({ type: UsageReport })
  get(@Query() query: UsageQuery, @CurrentActor() actor: Actor): Promise<UsageReport> {
    return this.bus.request(UsageContracts.get, query, { actor });
  }
}
