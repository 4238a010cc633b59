import { Controller, Delete, Get, HttpCode, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, DocumentContracts, DocumentIdRequest, DocumentView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('knowledge')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('documents')
export class DocumentsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get(':id')
  @ApiOperation({ summary: 'A document with its ingestion status (pending, processing, ready, failed) and progress' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: DocumentView })
  get(@Param() params: DocumentIdRequest, @CurrentActor() actor: Actor): Promise<DocumentView> {
    return this.bus.request(DocumentContracts.get, params, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document with its chunks and vectors' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@Param() params: DocumentIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(DocumentContracts.delete, params, { actor });
  }
}
