import type { AgentSnapshot, AgentStatus } from '#contracts';
import type { AgentEntity } from './agent.entity.js';

/**
 * Which status changes make sense. An agent starts `created`; runs move it to `running`; a user
 * stops it; a failure marks it `error`, from which it can be started again or stopped.
 */
const TRANSITIONS: Record<AgentStatus, readonly AgentStatus[]> = {
  created: ['running', 'stopped'],
  running: ['stopped', 'error'],
  stopped: ['running'],
  error: ['running', 'stopped'],
};

export function canTransition(from: AgentStatus, to: AgentStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/**
 * The fields a run reads. A change to one of them makes a new version; a change to any other field
 * (name, icon, colour, project, status, flags, the wizard's answers) does not.
 */
export const RUN_FIELDS = ['agentType', 'modelProvider', 'modelName', 'systemPrompt', 'tools', 'knowledgeBaseIds', 'memory', 'configuration'] as const;
export type RunField = (typeof RUN_FIELDS)[number];

/** Plain JSON of the run fields, detached from the entity so later edits cannot reach it. */
export function snapshotOf(agent: Pick<AgentEntity, RunField>): AgentSnapshot {
  return JSON.parse(
    JSON.stringify({
      agentType: agent.agentType,
      modelProvider: agent.modelProvider,
      modelName: agent.modelName,
      systemPrompt: agent.systemPrompt,
      tools: agent.tools,
      knowledgeBaseIds: agent.knowledgeBaseIds,
      memory: agent.memory,
      configuration: agent.configuration,
    }),
  ) as AgentSnapshot;
}

export { plainJson, sameJson } from '#persistence';
