import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  CreatePromptTemplateRequest,
  PromptTemplateIdRequest,
  PromptTemplateList,
  PromptTemplateView,
  TemplateContracts,
  UpdatePromptTemplateBody,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('templates')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('prompt-templates')
export class PromptTemplatesController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Your prompt templates, each at its latest version' })
  @ApiOkResponse({ type: PromptTemplateList })
  list(@CurrentActor() actor: Actor): Promise<PromptTemplateList> {
    return this.bus.request(TemplateContracts.listPromptTemplates, {}, { actor });
  }

  @Post()
  @ApiCreatedResponse({ type: PromptTemplateView, description: 'Version 1' })
  @ProblemResponses(400, 409)
  @ApiOperation({ summary: 'Create a prompt template' })
  create(@Body() body: CreatePromptTemplateRequest, @CurrentActor() actor: Actor): Promise<PromptTemplateView> {
    return this.bus.request(TemplateContracts.createPromptTemplate, body, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PromptTemplateView, description: 'The latest version' })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Read a prompt template' })
  get(@Param() params: PromptTemplateIdRequest, @CurrentActor() actor: Actor): Promise<PromptTemplateView> {
    return this.bus.request(TemplateContracts.getPromptTemplate, params, { actor });
  }

  @Put(':id')
  @ApiOperation({ summary: 'Save new content as the next version' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PromptTemplateView })
  @ProblemResponses(400, 404)
  update(@Param() params: PromptTemplateIdRequest, @Body() body: UpdatePromptTemplateBody, @CurrentActor() actor: Actor): Promise<PromptTemplateView> {
    return this.bus.request(TemplateContracts.updatePromptTemplate, { ...body, id: params.id }, { actor });
  }

  @Get(':id/versions')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PromptTemplateList, description: 'Every version, oldest first' })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: "List a prompt template's versions" })
  listVersions(@Param() params: PromptTemplateIdRequest, @CurrentActor() actor: Actor): Promise<PromptTemplateList> {
    return this.bus.request(TemplateContracts.listPromptTemplateVersions, params, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'The template and all its versions are deleted' })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Delete a prompt template' })
  async delete(@Param() params: PromptTemplateIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(TemplateContracts.deletePromptTemplate, params, { actor });
  }
}
