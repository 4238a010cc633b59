import { Controller } from '@nestjs/common';
import {
  AccountContracts,
  type Actor,
  CreateProjectRequest,
  Empty,
  ListProjectsRequest,
  ProjectIdRequest,
  type ProjectPage,
  type ProjectView,
  UpdateProjectRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { ProjectsService } from './projects.service.js';

@Controller()
export class ProjectsHandler {
  constructor(private readonly projects: ProjectsService) {}

  @Rpc(AccountContracts.listProjects)
  list(request: ListProjectsRequest, actor: Actor): Promise<ProjectPage> {
    return this.projects.list(actor, request);
  }

  @Rpc(AccountContracts.createProject)
  create(request: CreateProjectRequest, actor: Actor): Promise<ProjectView> {
    return this.projects.create(actor, request);
  }

  @Rpc(AccountContracts.getProject)
  get(request: ProjectIdRequest, actor: Actor): Promise<ProjectView> {
    return this.projects.get(actor, request.id);
  }

  @Rpc(AccountContracts.updateProject)
  update(request: UpdateProjectRequest, actor: Actor): Promise<ProjectView> {
    return this.projects.update(actor, request);
  }

  @Rpc(AccountContracts.archiveProject)
  archive(request: ProjectIdRequest, actor: Actor): Promise<ProjectView> {
    return this.projects.setArchived(actor, request.id, true);
  }

  @Rpc(AccountContracts.unarchiveProject)
  unarchive(request: ProjectIdRequest, actor: Actor): Promise<ProjectView> {
    return this.projects.setArchived(actor, request.id, false);
  }

  @Rpc(AccountContracts.deleteProject)
  async delete(request: ProjectIdRequest, actor: Actor): Promise<Empty> {
    await this.projects.delete(actor, request.id);
    return {};
  }
}
