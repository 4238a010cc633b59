import { Injectable } from '@nestjs/common';
import { type Actor, type AgentTemplateList, type CreatePromptTemplateRequest, type PromptTemplateList, type PromptTemplateView, type UpdatePromptTemplateRequest, requireUserId } from '#contracts';
import { Database, newId } from '#persistence';
import type { TemplateEntity } from './template.entity.js';
import { TemplatesErrors } from './templates.errors.js';
import { type PromptBody, toAgentTemplateView, toPromptTemplateView } from './templates.mapper.js';
import { TemplatesRepository } from './templates.repository.js';

export type { TemplateEntity } from './template.entity.js';

@Injectable()
export class TemplatesService {
  constructor(
    private readonly templates: TemplatesRepository,
    private readonly database: Database,
  ) {}

  async listAgentTemplates(): Promise<AgentTemplateList> {
    return { items: (await this.templates.listBuiltInAgentTemplates()).map(toAgentTemplateView) };
  }

  /** The latest version of a built-in agent template, or null. */
  findBuiltInAgentTemplate(name: string): Promise<TemplateEntity | null> {
    return this.templates.findBuiltInAgentTemplate(name);
  }

  async listPrompts(actor: Actor): Promise<PromptTemplateList> {
    const families = new Map<string, TemplateEntity[]>();
    for (const row of await this.templates.listPrompts(requireUserId(actor))) families.set(row.familyId, [...(families.get(row.familyId) ?? []), row]);
    return { items: [...families.values()].map((versions) => toPromptTemplateView(versions[0], versions[versions.length - 1])) };
  }

  /** Names are unique per user: creating a second template with a taken name is a conflict. */
  async createPrompt(actor: Actor, request: CreatePromptTemplateRequest): Promise<PromptTemplateView> {
    const ownerId = requireUserId(actor);
    const body: PromptBody = { description: request.description ?? null, content: request.content, variables: request.variables ?? [] };
    return this.database.transaction(async () => {
      const familyId = newId();
      await this.templates.lockFamily(`${ownerId}:${request.name}`);
      if (await this.templates.findPromptByName(ownerId, request.name)) throw TemplatesErrors.promptNameTaken();
      const row = await this.templates.insert({ id: familyId, familyId, ownerId, kind: 'prompt', name: request.name, version: 1, body: { ...body } });
      return toPromptTemplateView(row, row);
    });
  }

  async getPrompt(actor: Actor, id: string): Promise<PromptTemplateView> {
    const versions = await this.templates.listPromptVersions(requireUserId(actor), id);
    if (versions.length === 0) throw TemplatesErrors.promptNotFound();
    return toPromptTemplateView(versions[0], versions[versions.length - 1]);
  }

  async listPromptVersions(actor: Actor, id: string): Promise<PromptTemplateList> {
    const versions = await this.templates.listPromptVersions(requireUserId(actor), id);
    if (versions.length === 0) throw TemplatesErrors.promptNotFound();
    return { items: versions.map((v) => toPromptTemplateView(versions[0], v)) };
  }

  /** Every edit is a new version; older versions stay readable for whatever used them. */
  async updatePrompt(actor: Actor, request: UpdatePromptTemplateRequest): Promise<PromptTemplateView> {
    const ownerId = requireUserId(actor);
    return this.database.transaction(async () => {
      await this.templates.lockFamily(request.id);
      const versions = await this.templates.listPromptVersions(ownerId, request.id);
      if (versions.length === 0) throw TemplatesErrors.promptNotFound();
      const first = versions[0];
      const latest = versions[versions.length - 1];
      const previous = latest.body as unknown as PromptBody;
      const body: PromptBody = {
        description: request.description ?? previous.description,
        content: request.content,
        variables: request.variables ?? previous.variables,
      };
      const row = await this.templates.insert({ familyId: request.id, ownerId, kind: 'prompt', name: latest.name, version: latest.version + 1, body: { ...body } });
      return toPromptTemplateView(first, row);
    });
  }

  async deletePrompt(actor: Actor, id: string): Promise<void> {
    const deleted = await this.templates.deleteFamily(requireUserId(actor), id);
    if (!deleted) throw TemplatesErrors.promptNotFound();
  }

  /** Account deletion: every prompt template of the user goes for good. */
  async deleteAllOf(ownerId: string): Promise<void> {
    await this.templates.deleteByOwner(ownerId);
  }
}
