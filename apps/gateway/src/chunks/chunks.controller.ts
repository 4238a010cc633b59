import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, ChunkIdRequest, ChunkView, DocumentContracts } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('knowledge')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('chunks')
export class ChunksController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get(':id')
  @ApiOperation({ summary: 'A chunk by id (what a search hit or a citation names)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ChunkView })
  get(@Param() params: ChunkIdRequest, @CurrentActor() actor: Actor): Promise<ChunkView> {
    return this.bus.request(DocumentContracts.getChunk, params, { actor });
  }
}
