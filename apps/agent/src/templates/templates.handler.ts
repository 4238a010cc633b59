import { Controller } from '@nestjs/common';
import {
  type Actor,
  type AgentTemplateList,
  CreatePromptTemplateRequest,
  Empty,
  PromptTemplateIdRequest,
  type PromptTemplateList,
  type PromptTemplateView,
  TemplateContracts,
  UpdatePromptTemplateRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { TemplatesService } from './templates.service.js';

@Controller()
export class TemplatesHandler {
  constructor(private readonly templates: TemplatesService) {}

  @Rpc(TemplateContracts.listAgentTemplates)
  listAgentTemplates(_: Empty): Promise<AgentTemplateList> {
    return this.templates.listAgentTemplates();
  }

  @Rpc(TemplateContracts.listPromptTemplates)
  listPrompts(_: Empty, actor: Actor): Promise<PromptTemplateList> {
    return this.templates.listPrompts(actor);
  }

  @Rpc(TemplateContracts.createPromptTemplate)
  createPrompt(request: CreatePromptTemplateRequest, actor: Actor): Promise<PromptTemplateView> {
    return this.templates.createPrompt(actor, request);
  }

  @Rpc(TemplateContracts.getPromptTemplate)
  getPrompt(request: PromptTemplateIdRequest, actor: Actor): Promise<PromptTemplateView> {
    return this.templates.getPrompt(actor, request.id);
  }

  @Rpc(TemplateContracts.updatePromptTemplate)
  updatePrompt(request: UpdatePromptTemplateRequest, actor: Actor): Promise<PromptTemplateView> {
    return this.templates.updatePrompt(actor, request);
  }

  @Rpc(TemplateContracts.listPromptTemplateVersions)
  listPromptVersions(request: PromptTemplateIdRequest, actor: Actor): Promise<PromptTemplateList> {
    return this.templates.listPromptVersions(actor, request.id);
  }

  @Rpc(TemplateContracts.deletePromptTemplate)
  async deletePrompt(request: PromptTemplateIdRequest, actor: Actor): Promise<Empty> {
    await this.templates.deletePrompt(actor, request.id);
    return {};
  }
}
