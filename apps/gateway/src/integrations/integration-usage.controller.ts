import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, ToolUsageContracts, ToolUsageQuery, ToolUsageReport } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('integrations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('integrations/usage')
export class IntegrationUsageController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Your tool calls through the integration service between two days (UTC, inclusive), by day, tool, server or agent' })
  @ApiOkResponse({ type: ToolUsageReport })
  get(@Query() query: ToolUsageQuery, @CurrentActor() actor: Actor): Promise<ToolUsageReport> {
    return this.bus.request(ToolUsageContracts.report, query, { actor });
  }
}
