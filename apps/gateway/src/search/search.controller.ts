import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, SearchContracts, SearchMessagesQuery, SearchResults } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('search')
export class SearchController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get('messages')
  @ApiOperation({ summary: 'Full-text search over your messages: words, "phrases", -excluded, or; best matches first' })
  @ApiOkResponse({ type: SearchResults })
  messages(@Query() query: SearchMessagesQuery, @CurrentActor() actor: Actor): Promise<SearchResults> {
    return this.bus.request(SearchContracts.messages, query, { actor });
  }
}
