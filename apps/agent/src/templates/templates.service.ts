import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type AgentSnapshot, type AgentTemplateList, AppError, type CreatePromptTemplateRequest, ErrorCode, type PromptTemplateList, type PromptTemplateView, type UpdatePromptTemplateRequest, requireUserId } from '#contracts';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource } from 'typeorm';
import type { TemplateEntity } from './template.entity.js';
import { TemplatesRepository } from './templates.repository.js';

interface PromptBody {
  description: string | null;
  content: string;
  variables: string[];
}

const notFound = () => AppError.notFound('prompt template');

@Injectable()
export class TemplatesService {
  constructor(
    private readonly templates: TemplatesRepository,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async listAgentTemplates(): Promise<AgentTemplateList> {
    const rows = await this.templates.listBuiltInAgentTemplates();
    return {
      items: rows.map((t) => ({
        name: t.name,
        title: String(t.body.title),
        description: String(t.body.description),
        icon: String(t.body.icon),
        color: String(t.body.color),
        version: t.version,
        run: t.body.run as AgentSnapshot,
      })),
    };
  }

  async listPrompts(actor: Actor): Promise<PromptTemplateList> {
    const families = new Map<string, TemplateEntity[]>();
    for (const row of await this.templates.listPrompts(requireUserId(actor))) families.set(row.familyId, [...(families.get(row.familyId) ?? []), row]);
    return { items: [...families.values()].map((versions) => this.toView(versions[0], versions[versions.length - 1])) };
  }

  /** Names are unique per user: creating a second template with a taken name is a conflict. */
  async createPrompt(actor: Actor, request: CreatePromptTemplateRequest): Promise<PromptTemplateView> {
    const ownerId = requireUserId(actor);
    const body: PromptBody = { description: request.description ?? null, content: request.content, variables: request.variables ?? [] };
    return this.dataSource.transaction(async (manager) => {
      const familyId = newId();
      await this.templates.lockFamily(manager, `${ownerId}:${request.name}`);
      if (await this.templates.findPromptByName(manager, ownerId, request.name)) {
        throw new AppError(ErrorCode.CONFLICT, 'you already have a prompt template with this name', { field: 'name' });
      }
      const row = await this.templates.insert(manager, { id: familyId, familyId, ownerId, kind: 'prompt', name: request.name, version: 1, body: { ...body } });
      return this.toView(row, row);
    });
  }

  async getPrompt(actor: Actor, id: string): Promise<PromptTemplateView> {
    const versions = await this.templates.listPromptVersions(requireUserId(actor), id);
    if (versions.length === 0) throw notFound();
    return this.toView(versions[0], versions[versions.length - 1]);
  }

  async listPromptVersions(actor: Actor, id: string): Promise<PromptTemplateList> {
    const versions = await this.templates.listPromptVersions(requireUserId(actor), id);
    if (versions.length === 0) throw notFound();
    return { items: versions.map((v) => this.toView(versions[0], v)) };
  }

  /** Every edit is a new version; older versions stay readable for whatever used them. */
  async updatePrompt(actor: Actor, request: UpdatePromptTemplateRequest): Promise<PromptTemplateView> {
    const ownerId = requireUserId(actor);
    return this.dataSource.transaction(async (manager) => {
      await this.templates.lockFamily(manager, request.id);
      const versions = await this.templates.listPromptVersions(ownerId, request.id, manager);
      if (versions.length === 0) throw notFound();
      const first = versions[0];
      const latest = versions[versions.length - 1];
      const previous = latest.body as unknown as PromptBody;
      const body: PromptBody = {
        description: request.description ?? previous.description,
        content: request.content,
        variables: request.variables ?? previous.variables,
      };
      const row = await this.templates.insert(manager, { familyId: request.id, ownerId, kind: 'prompt', name: latest.name, version: latest.version + 1, body: { ...body } });
      return this.toView(first, row);
    });
  }

  async deletePrompt(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    const deleted = await this.dataSource.transaction((manager) => this.templates.deleteFamily(manager, ownerId, id));
    if (!deleted) throw notFound();
  }

  private toView(first: TemplateEntity, version: TemplateEntity): PromptTemplateView {
    const body = version.body as unknown as PromptBody;
    return {
      id: version.familyId,
      name: version.name,
      description: body.description,
      content: body.content,
      variables: body.variables,
      version: version.version,
      createdAt: first.createdAt.toISOString(),
      updatedAt: version.createdAt.toISOString(),
    };
  }
}
