import type { AgentSnapshot, AgentTemplateView, PromptTemplateView } from '#contracts';
import type { TemplateEntity } from './template.entity.js';

/** What a prompt template's body holds. */
export interface PromptBody {
  description: string | null;
  content: string;
  variables: string[];
}

export function toAgentTemplateView(template: TemplateEntity): AgentTemplateView {
  return {
    name: template.name,
    title: String(template.body.title),
    description: String(template.body.description),
    icon: String(template.body.icon),
    color: String(template.body.color),
    version: template.version,
    run: template.body.run as AgentSnapshot,
  };
}

/** One version of a prompt template; the family's first version gives its creation time. */
export function toPromptTemplateView(first: TemplateEntity, version: TemplateEntity): PromptTemplateView {
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
