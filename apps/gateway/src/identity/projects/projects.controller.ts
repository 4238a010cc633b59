import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountContracts, type Actor, CreateProjectRequest, ListProjectsRequest, ProjectPage, ProjectView, UpdateProjectBody } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../../http/actor.js';
import { AuthGuard } from '../../http/auth.guard.js';
import { ProblemResponses } from '../../http/openapi.js';

/**
 * Path ids and query strings travel as they came; the identity service validates them with the
 * contract classes (a malformed id is a 400 naming `id`, another user's project a 404).
 */
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
  list(@Query() query: ListProjectsRequest, @CurrentActor() actor: Actor): Promise<ProjectPage> {
    return this.bus.request(AccountContracts.listProjects, { ...query }, { actor });
  }

  @Post()
  @ApiCreatedResponse({ type: ProjectView })
  @ProblemResponses(400)
  create(@Body() body: CreateProjectRequest, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.createProject, body, { actor });
  }

  @Get(':id')
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404)
  get(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.getProject, { id }, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, describe, restyle or reorder a project' })
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404)
  update(@Param('id') id: string, @Body() body: UpdateProjectBody, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.updateProject, { ...body, id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; agents, workflows and MCP servers in it move to no project' })
  @ProblemResponses(400, 404, 409)
  async delete(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(AccountContracts.deleteProject, { id }, { actor });
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404, 409)
  archive(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.archiveProject, { id }, { actor });
  }

  @Post(':id/unarchive')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectView })
  @ProblemResponses(400, 404)
  unarchive(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ProjectView> {
    return this.bus.request(AccountContracts.unarchiveProject, { id }, { actor });
  }
}
