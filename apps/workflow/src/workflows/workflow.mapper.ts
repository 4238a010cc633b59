import type { WorkflowDefinition, WorkflowSummary, WorkflowVersionSummary, WorkflowVersionView, WorkflowView } from '#contracts';
import type { WorkflowVersionEntity } from './workflow-version.entity.js';
import type { WorkflowEntity } from './workflow.entity.js';

export function toWorkflowSummary(workflow: WorkflowEntity): WorkflowSummary {
  return {
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    projectId: workflow.projectId,
    isActive: workflow.isActive,
    currentVersion: workflow.currentVersion,
    publishedVersion: workflow.publishedVersion,
    agentIds: workflow.agentIds,
    createdAt: workflow.createdAt.toISOString(),
    updatedAt: workflow.updatedAt.toISOString(),
  };
}

export function toWorkflowView(workflow: WorkflowEntity, definition: WorkflowDefinition): WorkflowView {
  return { ...toWorkflowSummary(workflow), definition };
}

export function toWorkflowVersionView(version: WorkflowVersionEntity): WorkflowVersionView {
  return { workflowId: version.workflowId, version: version.version, definition: version.definition, createdBy: version.createdBy, createdAt: version.createdAt.toISOString() };
}

export function toWorkflowVersionSummary(version: WorkflowVersionEntity): WorkflowVersionSummary {
  return { version: version.version, createdBy: version.createdBy, createdAt: version.createdAt.toISOString() };
}
