import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_INT32 } from '../common/int32.js';
import { rpc } from '../contract.js';
import { WorkflowDefinition } from './definition.js';

export class ResolveWorkflowRequest {
  @IsUUID()
  workflowId: string;

  /** The version to pin; the current one when omitted (the published one with `published`). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;

  /** Only a published version will do (public links, the MCP and OpenAI faces). */
  @IsOptional()
  @IsBoolean()
  published?: boolean;

  /**
   * Set by a service acting for the owner (the execution service running a schedule's workflow):
   * the workflow must be this user's. A user caller is the owner.
   */
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

/** Everything the execution service needs to run one pinned, validated workflow version. */
export class ResolvedWorkflow {
  @ApiProperty({ format: 'uuid' }) workflowId: string;
  @ApiProperty({ format: 'uuid' }) ownerId: string;
  @ApiProperty() name: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: WorkflowDefinition }) definition: WorkflowDefinition;
}

export const WorkflowResolveContracts = {
  /** For the execution service: a workflow's pinned version; another owner's workflow is not found. */
  resolve: rpc('workflow.workflows.resolve', ResolveWorkflowRequest, ResolvedWorkflow),
} as const;
