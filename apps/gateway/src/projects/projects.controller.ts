import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AccountContracts, type Actor, CreateProjectRequest, ListProjectsRequest, ProjectIdRequest, ProjectPage, ProjectView, UpdateProjectBody } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('projects')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('projects')
export class ProjectsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOkResponse({ type: ProjectPage, description: 'Ordered by sortOrder; active projects unless archived=true' })
  @ProblemResponses(400)
  @ApiOperation({ summary: 'List your projects' })
  list(@Query() query: ListProjectsRequest, @CurrentActor() actor: Actor): Promise<ProjectPage> {
    return this.bus.request(AccountContracts.listProjects, query, { actor });
  }

  @Post()
  @ApiCreatedResponse({ type: ProjectView })
  @ProblemResponses(400)
  @ApiOperation({ summary: 'Create a project' })
  create(@Body() body: CreateProjectRequest, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.createProject, body, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Read a project' })
  get(@Param() params: ProjectIdRequest, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.getProject, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, describe, restyle or reorder a project' })
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404)
  update(@Param() params: ProjectIdRequest, @Body() body: UpdateProjectBody, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.updateProject, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', type: String })
  @ApiNoContentResponse({ description: 'Deleted; agents, workflows and MCP servers in it move to no project' })
  @ProblemResponses(400, 404, 409)
  @ApiOperation({ summary: 'Delete a project' })
  async delete(@Param() params: ProjectIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(AccountContracts.deleteProject, params, { actor });
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404, 409)
  @ApiOperation({ summary: 'Archive a project' })
  archive(@Param() params: ProjectIdRequest, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.archiveProject, params, { actor });
  }

  @Post(':id/unarchive')
  @HttpCode(200)
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Unarchive a project' })
  unarchive(@Param() params: ProjectIdRequest, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.unarchiveProject, params, { actor });
  }
}
