import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  AddDocumentBody,
  CreateKnowledgeBaseRequest,
  DocumentAddedReply,
  DocumentContracts,
  DocumentList,
  KnowledgeBaseContracts,
  KnowledgeBaseFields,
  KnowledgeBaseIdRequest,
  KnowledgeBaseList,
  KnowledgeBaseView,
  ListDocumentsQuery,
  ListKnowledgeBasesQuery,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('knowledge')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('knowledge-bases')
export class KnowledgeBasesController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a knowledge base (embedding model and chunking settings)' })
  @ApiCreatedResponse({ type: KnowledgeBaseView })
  create(@Body() body: CreateKnowledgeBaseRequest, @CurrentActor() actor: Actor): Promise<KnowledgeBaseView> {
    return this.bus.request(KnowledgeBaseContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'List your knowledge bases, newest first' })
  @ApiOkResponse({ type: KnowledgeBaseList })
  list(@Query() query: ListKnowledgeBasesQuery, @CurrentActor() actor: Actor): Promise<KnowledgeBaseList> {
    return this.bus.request(KnowledgeBaseContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: KnowledgeBaseView, description: 'With the progress of a re-embedding, if one runs' })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read a knowledge base' })
  get(@Param() params: KnowledgeBaseIdRequest, @CurrentActor() actor: Actor): Promise<KnowledgeBaseView> {
    return this.bus.request(KnowledgeBaseContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a knowledge base; a new embedding model re-embeds it in the background' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: KnowledgeBaseView })
  @ProblemResponses(404)
  update(@Param() params: KnowledgeBaseIdRequest, @Body() body: KnowledgeBaseFields, @CurrentActor() actor: Actor): Promise<KnowledgeBaseView> {
    return this.bus.request(KnowledgeBaseContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a knowledge base with its documents, chunks and vectors' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  async delete(@Param() params: KnowledgeBaseIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(KnowledgeBaseContracts.delete, params, { actor });
  }

  @Post(':id/documents')
  @ApiOperation({ summary: 'Add a document; it is chunked and embedded in the background (watch GET /documents/:id)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: DocumentAddedReply, description: 'The document, pending; or the existing one with the same text (duplicate: true)' })
  @ProblemResponses(404, 413)
  addDocument(@Param() params: KnowledgeBaseIdRequest, @Body() body: AddDocumentBody, @CurrentActor() actor: Actor): Promise<DocumentAddedReply> {
    return this.bus.request(DocumentContracts.add, { ...body, knowledgeBaseId: params.id }, { actor });
  }

  @Get(':id/documents')
  @ApiOperation({ summary: 'The documents of a knowledge base, newest first, with their status and progress' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: DocumentList })
  @ProblemResponses(404)
  listDocuments(@Param() params: KnowledgeBaseIdRequest, @Query() query: ListDocumentsQuery, @CurrentActor() actor: Actor): Promise<DocumentList> {
    return this.bus.request(DocumentContracts.list, { ...query, knowledgeBaseId: params.id }, { actor });
  }
}
