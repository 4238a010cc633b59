import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, AgentTemplateList, TemplateContracts } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('templates')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('templates')
export class TemplatesController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Built-in agent templates; POST /agents with `template` starts from one' })
  @ApiOkResponse({ type: AgentTemplateList })
  listAgentTemplates(@CurrentActor() actor: Actor): Promise<AgentTemplateList> {
    return this.bus.request(TemplateContracts.listAgentTemplates, {}, { actor });
  }
}
