import type { AgentVersionView, AgentView } from '#contracts';
import type { AgentVersionEntity } from './agent-version.entity.js';
import type { AgentEntity } from './agent.entity.js';

export function toAgentView(agent: AgentEntity): AgentView {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    icon: agent.icon,
    color: agent.color,
    avatarUrl: agent.avatarUrl,
    projectId: agent.projectId,
    agentType: agent.agentType,
    status: agent.status,
    modelProvider: agent.modelProvider,
    modelName: agent.modelName,
    systemPrompt: agent.systemPrompt,
    qaWho: agent.qaWho,
    qaRules: agent.qaRules,
    qaTricks: agent.qaTricks,
    tools: agent.tools,
    knowledgeBaseIds: agent.knowledgeBaseIds,
    memory: agent.memory,
    configuration: agent.configuration,
    templateName: agent.templateName,
    isPublished: agent.isPublished,
    publishedVersion: agent.publishedVersion,
    isActive: agent.isActive,
    currentVersion: agent.currentVersion,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
    deletedAt: agent.deletedAt ? agent.deletedAt.toISOString() : null,
  };
}

export function toAgentVersionView(version: AgentVersionEntity): AgentVersionView {
  return { agentId: version.agentId, version: version.version, snapshot: version.snapshot, createdBy: version.createdBy, createdAt: version.createdAt.toISOString() };
}
