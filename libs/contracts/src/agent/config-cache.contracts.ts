import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_INT32 } from '../common/int32.js';
import { Empty, rpc } from '../contract.js';
import { AgentSnapshot } from './agents.contracts.js';

export class ResolveAgentRequest {
  @IsUUID()
  agentId: string;

  /** The version to pin; the current one when omitted. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;
}

/** Everything the execution service needs to start a run of one pinned version. */
export class ResolvedAgent {
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty({ format: 'uuid' }) ownerId: string;
  @ApiProperty() name: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: AgentSnapshot }) snapshot: AgentSnapshot;
}

export class WarmReply {
  @ApiProperty({ description: 'Agent configurations now in the cache' }) warmed: number;
  @ApiProperty({ description: 'Seconds they stay there' }) ttlSeconds: number;
}

export class WarmAllRequest extends Empty {}

/**
 * A broadcast (a hint, not an event) the agent service sends once a change to an agent committed,
 * before it answers the request that made it: every replica that keeps resolved agents (the agent
 * service's cache, the execution service's) forgets that agent.
 */
export const AGENT_CONFIG_INVALIDATED = 'agent.config-cache.invalidated';

export interface AgentConfigInvalidated {
  agentId: string;
}

export const ConfigCacheContracts = {
  /** For the execution service: the pinned version of an agent, from the cache when warm. */
  resolve: rpc('agent.agents.resolve', ResolveAgentRequest, ResolvedAgent),
  warm: rpc('agent.agents.warm', ResolveAgentRequest, WarmReply),
  warmAll: rpc('agent.agents.warm-all', WarmAllRequest, WarmReply),
} as const;
