import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsUUID, ValidateNested } from 'class-validator';
import { ToolReference } from '../agent/agents.contracts.js';
import { rpc } from '../contract.js';

/** The tool references an agent or a workflow is about to be saved with, for the owner they must belong to. */
export class CheckToolRefsRequest {
  @IsUUID()
  ownerId: string;

  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ToolReference)
  refs: ToolReference[];
}

export const TOOL_REF_PROBLEMS = ['NOT_FOUND', 'UNKNOWN_TOOL'] as const;
export type ToolRefProblemCode = (typeof TOOL_REF_PROBLEMS)[number];

export class ToolRefProblem {
  /** Position of the reference in the request's refs. */
  @ApiProperty() index: number;
  /** NOT_FOUND: the server, tool or connection is missing or another user's (answer 404); UNKNOWN_TOOL: no such tool name (answer 400). */
  @ApiProperty({ enum: TOOL_REF_PROBLEMS }) code: ToolRefProblemCode;
  @ApiProperty() message: string;
}

export class CheckToolRefsReply {
  @ApiProperty({ type: [ToolRefProblem] }) problems: ToolRefProblem[];
}

export const ToolRefContracts = {
  /**
   * For the agent and workflow services, before they save: which references do not resolve for
   * this owner. Built-in names are checked too, so every saver asks one place.
   */
  check: rpc('integration.tool-refs.check', CheckToolRefsRequest, CheckToolRefsReply),
} as const;
