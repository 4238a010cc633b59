import { IsArray, IsInt, IsString, IsUUID, Max, Min } from 'class-validator';
import { MAX_INT32 } from '../common/int32.js';
import { event } from '../contract.js';

export class AgentChangedEvent {
  @IsUUID()
  agentId: string;

  @IsUUID()
  ownerId: string;

  /** The current version after the change. */
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version: number;
}

export class AgentUpdatedEvent extends AgentChangedEvent {
  /** The fields that changed; a version is created only when one of them affects a run. */
  @IsArray()
  @IsString({ each: true })
  fields: string[];
}

export const AgentCreated = event('events.agent.agent.created', AgentChangedEvent);
export const AgentUpdated = event('events.agent.agent.updated', AgentUpdatedEvent);
/** Soft delete: the agent can no longer be run and can be restored during the retention period. */
export const AgentDeleted = event('events.agent.agent.deleted', AgentChangedEvent);
export const AgentRestored = event('events.agent.agent.restored', AgentChangedEvent);
