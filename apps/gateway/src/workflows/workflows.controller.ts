import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  CreateWorkflowRequest,
  ExportWorkflowQuery,
  ImportWorkflowRequest,
  ListWorkflowsQuery,
  UpdateWorkflowBody,
  ValidateWorkflowRequest,
  WorkflowContracts,
  WorkflowDiff,
  WorkflowDiffQuery,
  WorkflowExport,
  WorkflowIdRequest,
  WorkflowList,
  WorkflowValidationReply,
  WorkflowVersionList,
  WorkflowVersionRequest,
  WorkflowVersionView,
  WorkflowView,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('workflows')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('workflows')
export class WorkflowsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a workflow; its definition is checked (structure, and that you own every agent, tool and knowledge base it names)' })
  @ApiCreatedResponse({ type: WorkflowView, description: 'The workflow at version 1' })
  @ProblemResponses(404)
  create(@Body() body: CreateWorkflowRequest, @CurrentActor() actor: Actor): Promise<WorkflowView> {
    return this.bus.request(WorkflowContracts.create, body, { actor });
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a definition as saving it would, without saving' })
  @ApiOkResponse({ type: WorkflowValidationReply })
  @ProblemResponses(404)
  validate(@Body() body: ValidateWorkflowRequest, @CurrentActor() actor: Actor): Promise<WorkflowValidationReply> {
    return this.bus.request(WorkflowContracts.validate, body, { actor });
  }

  @Post('import')
  @ApiOperation({ summary: 'Create a workflow from an export (GET /workflows/:id/export)' })
  @ApiCreatedResponse({ type: WorkflowView })
  @ProblemResponses(404)
  import(@Body() body: ImportWorkflowRequest, @CurrentActor() actor: Actor): Promise<WorkflowView> {
    return this.bus.request(WorkflowContracts.import, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'List your workflows, newest first' })
  @ApiOkResponse({ type: WorkflowList })
  list(@Query() query: ListWorkflowsQuery, @CurrentActor() actor: Actor): Promise<WorkflowList> {
    return this.bus.request(WorkflowContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WorkflowView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read a workflow' })
  get(@Param() params: WorkflowIdRequest, @CurrentActor() actor: Actor): Promise<WorkflowView> {
    return this.bus.request(WorkflowContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a workflow; a changed definition becomes a new version' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WorkflowView })
  @ProblemResponses(404)
  update(@Param() params: WorkflowIdRequest, @Body() body: UpdateWorkflowBody, @CurrentActor() actor: Actor): Promise<WorkflowView> {
    return this.bus.request(WorkflowContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a workflow with its versions, public links, schedules and webhooks' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  async delete(@Param() params: WorkflowIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(WorkflowContracts.delete, params, { actor });
  }

  @Get(':id/versions')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WorkflowVersionList })
  @ProblemResponses(404)
  @ApiOperation({ summary: "List a workflow's versions" })
  listVersions(@Param() params: WorkflowIdRequest, @CurrentActor() actor: Actor): Promise<WorkflowVersionList> {
    return this.bus.request(WorkflowContracts.listVersions, params, { actor });
  }

  @Get(':id/versions/:version')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'version', type: 'integer' })
  @ApiOkResponse({ type: WorkflowVersionView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read one version of a workflow' })
  getVersion(@Param() params: WorkflowVersionRequest, @CurrentActor() actor: Actor): Promise<WorkflowVersionView> {
    return this.bus.request(WorkflowContracts.getVersion, params, { actor });
  }

  @Post(':id/versions/:version/restore')
  @HttpCode(200)
  @ApiOperation({ summary: "Make an old version's definition current again, as a new version" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'version', type: 'integer' })
  @ApiOkResponse({ type: WorkflowView })
  @ProblemResponses(404)
  restoreVersion(@Param() params: WorkflowVersionRequest, @CurrentActor() actor: Actor): Promise<WorkflowView> {
    return this.bus.request(WorkflowContracts.restoreVersion, params, { actor });
  }

  @Get(':id/diff')
  @ApiOperation({ summary: 'What changed between two versions: nodes and edges added, removed or changed' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WorkflowDiff })
  @ProblemResponses(404)
  diff(@Param() params: WorkflowIdRequest, @Query() query: WorkflowDiffQuery, @CurrentActor() actor: Actor): Promise<WorkflowDiff> {
    return this.bus.request(WorkflowContracts.diff, { ...query, id: params.id }, { actor });
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'A portable copy of a version (the current one by default), for POST /workflows/import' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WorkflowExport })
  @ProblemResponses(404)
  export(@Param() params: WorkflowIdRequest, @Query() query: ExportWorkflowQuery, @CurrentActor() actor: Actor): Promise<WorkflowExport> {
    return this.bus.request(WorkflowContracts.export, { ...query, id: params.id }, { actor });
  }
}
