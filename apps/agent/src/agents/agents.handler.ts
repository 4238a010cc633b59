import { Controller } from '@nestjs/common';
import {
  type Actor,
  type AgentCreatedReply,
  type AgentSavedReply,
  AgentContracts,
  AgentIdRequest,
  type AgentList,
  type AgentVersionList,
  AgentVersionRequest,
  type AgentVersionView,
  type AgentView,
  CreateAgentRequest,
  type Empty,
  ListAgentsQuery,
  PublishAgentRequest,
  UpdateAgentRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { AgentsService } from './agents.service.js';

@Controller()
export class AgentsHandler {
  constructor(private readonly agents: AgentsService) {}

  @Rpc(AgentContracts.create)
  create(request: CreateAgentRequest, actor: Actor): Promise<AgentCreatedReply> {
    return this.agents.create(actor, request);
  }

  @Rpc(AgentContracts.list)
  list(request: ListAgentsQuery, actor: Actor): Promise<AgentList> {
    return this.agents.list(actor, request);
  }

  @Rpc(AgentContracts.update)
  update(request: UpdateAgentRequest, actor: Actor): Promise<AgentSavedReply> {
    return this.agents.update(actor, request);
  }

  @Rpc(AgentContracts.delete)
  async delete(request: AgentIdRequest, actor: Actor): Promise<Empty> {
    await this.agents.delete(actor, request.id);
    return {};
  }

  @Rpc(AgentContracts.restore)
  restore(request: AgentIdRequest, actor: Actor): Promise<AgentView> {
    return this.agents.restore(actor, request.id);
  }

  @Rpc(AgentContracts.listVersions)
  listVersions(request: AgentIdRequest, actor: Actor): Promise<AgentVersionList> {
    return this.agents.listVersions(actor, request.id);
  }

  @Rpc(AgentContracts.getVersion)
  getVersion(request: AgentVersionRequest, actor: Actor): Promise<AgentVersionView> {
    return this.agents.getVersion(actor, request);
  }

  @Rpc(AgentContracts.restoreVersion)
  restoreVersion(request: AgentVersionRequest, actor: Actor): Promise<AgentView> {
    return this.agents.restoreVersion(actor, request);
  }

  @Rpc(AgentContracts.publish)
  publish(request: PublishAgentRequest, actor: Actor): Promise<AgentView> {
    return this.agents.publish(actor, request);
  }
}
