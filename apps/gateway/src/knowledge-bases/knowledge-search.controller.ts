import { Body, Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, KnowledgeBaseIdRequest, KnowledgeSearchContracts, KnowledgeSearchResult, SearchKnowledgeBody, SearchKnowledgeRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('knowledge')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('knowledge-bases')
export class KnowledgeSearchController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post('search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Search several of your knowledge bases at once (hybrid, vector or full-text, with a metadata filter)' })
  @ApiOkResponse({ type: KnowledgeSearchResult })
  searchMany(@Body() body: SearchKnowledgeRequest, @CurrentActor() actor: Actor): Promise<KnowledgeSearchResult> {
    return this.bus.request(KnowledgeSearchContracts.search, body, { actor });
  }

  @Post(':id/search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Search a knowledge base (hybrid, vector or full-text, with a metadata filter)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: KnowledgeSearchResult })
  search(@Param() params: KnowledgeBaseIdRequest, @Body() body: SearchKnowledgeBody, @CurrentActor() actor: Actor): Promise<KnowledgeSearchResult> {
    return this.bus.request(KnowledgeSearchContracts.search, { ...body, knowledgeBaseIds: [params.id] }, { actor });
  }
}
