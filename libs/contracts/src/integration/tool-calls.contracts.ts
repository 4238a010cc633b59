import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ToolReference } from '../agent/agents.contracts.js';
import { rpc } from '../contract.js';

export const CALL_TARGET_KINDS = ['mcp', 'registry', 'integration'] as const;
export type CallTargetKind = (typeof CALL_TARGET_KINDS)[number];

/** Where a call goes: an MCP server's tool, a registry HTTP tool, or a provider's API through a connection. */
export class ToolCallTarget {
  @IsIn(CALL_TARGET_KINDS)
  kind: CallTargetKind;

  /** The MCP server id, the registry tool id, or the provider name. */
  @IsString()
  @MaxLength(100)
  id: string;

  /** The tool's own name at its source (an MCP tool's name; for the others, the tool's name). */
  @IsString()
  @MaxLength(200)
  toolName: string;
}

/** For the execution service: the agent's integration tool references of one run, for their owner. */
export class ResolveToolsRequest {
  @IsUUID()
  ownerId: string;

  @IsOptional()
  @IsUUID()
  agentId?: string;

  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ToolReference)
  refs: ToolReference[];
}

export class ResolvedTool {
  /** What the model calls it. */
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  /** Safe to send again after a crash left a call unfinished. */
  idempotent: boolean;
  /** Index of the reference in the request that offered it (its requireApproval applies). */
  refIndex: number;
  target: ToolCallTarget;
}

export class UnresolvedTool {
  kind: string;
  name: string;
  reason: string;
}

export class ResolveToolsReply {
  tools: ResolvedTool[];
  unavailable: UnresolvedTool[];
}

/** For the execution service: one tool call, recorded as a usage row. */
export class CallToolRequest {
  @IsUUID()
  ownerId: string;

  @IsOptional()
  @IsUUID()
  agentId?: string;

  @IsUUID()
  runId: string;

  @IsString()
  @MaxLength(200)
  callId: string;

  @ValidateNested()
  @Type(() => ToolCallTarget)
  target: ToolCallTarget;

  @IsObject()
  arguments: Record<string, unknown>;

  /** How long the caller waits; the call is abandoned after it. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  timeoutMs: number;
}

export class CallToolReply {
  /** The text the model reads. */
  text: string;
  /** The tool answered with an error (the model reads it and may retry). */
  @IsBoolean()
  isError: boolean;
}

export const ToolCallContracts = {
  resolve: rpc('integration.tool-calls.resolve', ResolveToolsRequest, ResolveToolsReply),
  call: rpc('integration.tool-calls.call', CallToolRequest, CallToolReply),
} as const;
