import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/**
 * The workflow definition format, version 1: a graph in JSON that the workflow service validates
 * and versions and the execution service runs. This file is its one description; the node
 * configurations below document each type, and the workflow service checks them node by node so
 * that every error names the node id and the field.
 *
 * Values flow through three scopes that expressions and templates read:
 * - `inputs.<name>`: the run's inputs, as declared in `inputs`;
 * - `state.<name>`: the workflow's variables, declared in `state` (with their defaults), written by
 *   nodes (`output` of agent, llm, tool, human and knowledge nodes; `set` of transform nodes);
 * - `nodes.<id>.output`: the last output of a node that has run.
 *
 * Expressions are a small language of our own (libs/expressions), never `eval`: literals, paths,
 * `== != < <= > >= + - * / % and or not in`, and a fixed set of functions. A template is text with
 * `{{ expression }}` holes; a template that is exactly one hole gives the expression's value with
 * its type (a number stays a number), any other template gives text.
 *
 * Control flow: every outgoing edge of a node fires when it completes, so several edges run their
 * targets in parallel; a node with several incoming edges is a join and runs once every incoming
 * edge has either fired or can no longer fire (its branch was not taken). A condition node fires
 * only the edges of its first branch whose `when` holds (or of `default`). An edge that closes a
 * cycle must declare `maxIterations`; taking it once more than that fails the run with
 * LIMIT_EXCEEDED. The run ends when no node can run; its output is what its output node(s) set.
 */
export const WORKFLOW_FORMAT_VERSION = 1;

export const WORKFLOW_NODE_TYPES = ['start', 'output', 'agent', 'llm', 'tool', 'condition', 'human', 'transform', 'knowledge'] as const;
export type WorkflowNodeType = (typeof WORKFLOW_NODE_TYPES)[number];

export const WORKFLOW_VALUE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'any'] as const;
export type WorkflowValueType = (typeof WORKFLOW_VALUE_TYPES)[number];

/** Names of inputs, outputs, variables and condition branches: what a path segment can be. */
export const WORKFLOW_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Node ids: also used in step keys (`node:<id>`) and events. */
export const WORKFLOW_NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const WORKFLOW_LIMITS = {
  nodes: 200,
  edges: 1000,
  fields: 50,
  variables: 100,
  /** Characters of one expression or template. */
  expressionChars: 4000,
  /** Most times one back edge may be taken. */
  maxIterations: 1000,
  /** Serialized definition, in characters. */
  definitionChars: 512_000,
} as const;

/** A declared input or output of the workflow. */
export class WorkflowField {
  @ApiProperty({ example: 'topic', pattern: WORKFLOW_NAME.source })
  @IsString()
  @Matches(WORKFLOW_NAME, { message: 'name must be a letter or "_" then up to 63 letters, digits or "_"' })
  name: string;

  @ApiProperty({ enum: WORKFLOW_VALUE_TYPES })
  @IsIn(WORKFLOW_VALUE_TYPES)
  type: WorkflowValueType;

  @ApiPropertyOptional({ description: 'Inputs only: the run is refused without it (unless it has a default)' })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ description: 'Inputs only: the value when the run does not give one' })
  @IsOptional()
  @Allow()
  default?: unknown;
}

/** A named variable of the workflow's state. */
export class WorkflowVariable {
  @ApiProperty({ example: 'draft', pattern: WORKFLOW_NAME.source })
  @IsString()
  @Matches(WORKFLOW_NAME, { message: 'name must be a letter or "_" then up to 63 letters, digits or "_"' })
  name: string;

  @ApiProperty({ enum: WORKFLOW_VALUE_TYPES })
  @IsIn(WORKFLOW_VALUE_TYPES)
  type: WorkflowValueType;

  @ApiPropertyOptional({ description: 'The value before any node writes it (null when absent)' })
  @IsOptional()
  @Allow()
  default?: unknown;
}

export class WorkflowNode {
  @ApiProperty({ example: 'summarise', pattern: WORKFLOW_NODE_ID.source })
  @IsString()
  @Matches(WORKFLOW_NODE_ID, { message: 'id must be a letter then up to 63 letters, digits, "_" or "-"' })
  id: string;

  @ApiProperty({ enum: WORKFLOW_NODE_TYPES })
  @IsString()
  @MaxLength(64)
  type: WorkflowNodeType;

  @ApiPropertyOptional({ maxLength: 100, description: 'A label for people' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'What the node does; its shape depends on `type` (see the *NodeConfig schemas). start takes none.',
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

export class WorkflowEdge {
  @ApiProperty({ description: 'The id of the node the edge leaves' })
  @IsString()
  @MaxLength(64)
  from: string;

  @ApiProperty({ description: 'The id of the node the edge enters' })
  @IsString()
  @MaxLength(64)
  to: string;

  @ApiPropertyOptional({ description: 'Required on the edges of a condition node: the branch name it follows, or "default"' })
  @IsOptional()
  @IsString()
  @Matches(WORKFLOW_NAME, { message: 'branch must be a branch name of the condition node' })
  branch?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: WORKFLOW_LIMITS.maxIterations, description: 'Required on an edge that closes a cycle: how many times it may be taken' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(WORKFLOW_LIMITS.maxIterations)
  maxIterations?: number;
}

export class WorkflowDefinition {
  @ApiPropertyOptional({ enum: [WORKFLOW_FORMAT_VERSION], default: WORKFLOW_FORMAT_VERSION })
  @IsOptional()
  @IsIn([WORKFLOW_FORMAT_VERSION])
  formatVersion?: number;

  @ApiProperty({ type: [WorkflowField], maxItems: WORKFLOW_LIMITS.fields })
  @IsArray()
  @ArrayMaxSize(WORKFLOW_LIMITS.fields)
  @ValidateNested({ each: true })
  @Type(() => WorkflowField)
  inputs: WorkflowField[];

  @ApiProperty({ type: [WorkflowField], maxItems: WORKFLOW_LIMITS.fields })
  @IsArray()
  @ArrayMaxSize(WORKFLOW_LIMITS.fields)
  @ValidateNested({ each: true })
  @Type(() => WorkflowField)
  outputs: WorkflowField[];

  @ApiProperty({ type: [WorkflowVariable], maxItems: WORKFLOW_LIMITS.variables })
  @IsArray()
  @ArrayMaxSize(WORKFLOW_LIMITS.variables)
  @ValidateNested({ each: true })
  @Type(() => WorkflowVariable)
  state: WorkflowVariable[];

  @ApiProperty({ type: [WorkflowNode], minItems: 1, maxItems: WORKFLOW_LIMITS.nodes })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WORKFLOW_LIMITS.nodes)
  @ValidateNested({ each: true })
  @Type(() => WorkflowNode)
  nodes: WorkflowNode[];

  @ApiProperty({ type: [WorkflowEdge], maxItems: WORKFLOW_LIMITS.edges })
  @IsArray()
  @ArrayMaxSize(WORKFLOW_LIMITS.edges)
  @ValidateNested({ each: true })
  @Type(() => WorkflowEdge)
  edges: WorkflowEdge[];
}

/*
 * The configuration of each node type. These are the documented shapes (OpenAPI shows them); the
 * workflow service validates `config` against them per node, naming `nodes[<id>].config.<field>`.
 * Fields called *template hold templates, `when`/`set` values hold expressions, `output` names a
 * state variable the node's result is written to.
 */

/** `output`: sets the workflow's declared outputs. */
export class OutputNodeConfig {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Declared output name -> expression' })
  values: Record<string, string>;
}

/** `agent`: runs one of the owner's agents (a pinned version, or the current one) with its tools. */
export class AgentNodeConfig {
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiPropertyOptional({ minimum: 1, description: 'The agent version; the current one when the workflow version is saved' }) version?: number;
  @ApiProperty({ description: 'Template of the message the agent answers' }) inputTemplate: string;
  @ApiPropertyOptional({ description: 'State variable that receives the answer text' }) output?: string;
}

/** `llm`: one model call on a prompt template over the state. */
export class LlmNodeConfig {
  @ApiProperty({ example: 'openai' }) provider: string;
  @ApiProperty({ example: 'gpt-4o-mini' }) model: string;
  @ApiPropertyOptional({ description: 'Template of the system message' }) systemTemplate?: string;
  @ApiProperty({ description: 'Template of the user message' }) promptTemplate: string;
  @ApiPropertyOptional({ minimum: 0, maximum: 2 }) temperature?: number;
  @ApiPropertyOptional({ minimum: 1 }) maxTokens?: number;
  @ApiPropertyOptional({ description: 'Parse the answer as JSON (the node fails when it is not)' }) json?: boolean;
  @ApiPropertyOptional({ description: 'State variable that receives the answer' }) output?: string;
}

/** `tool`: one tool call (a built-in tool, or one from the integration service) with templated arguments. */
export class ToolNodeConfig {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'A tool reference, as on agents: { kind, name, refId?, provider? }' })
  tool: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Argument name -> template' }) arguments: Record<string, string>;
  @ApiPropertyOptional({ description: 'State variable that receives the result' }) output?: string;
}

export class ConditionBranch {
  @ApiProperty({ pattern: WORKFLOW_NAME.source }) name: string;
  @ApiProperty({ example: 'state.score >= 7', description: 'Expression; the first branch whose `when` is true is taken' }) when: string;
}

/** `condition`: takes the first branch whose expression holds, else the edges marked `default`. */
export class ConditionNodeConfig {
  @ApiProperty({ type: [ConditionBranch] }) branches: ConditionBranch[];
}

/** `human`: parks the run in requires_action until a person answers the form; the answer is validated against `schema`. */
export class HumanNodeConfig {
  @ApiProperty({ description: 'Template of what the person is asked' }) promptTemplate: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema (an object schema) of the answer' }) schema: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'State variable that receives the answer' }) output?: string;
}

/** `transform`: writes state variables from expressions. */
export class TransformNodeConfig {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'State variable -> expression' }) set: Record<string, string>;
}

/** `knowledge`: searches the owner's knowledge bases (the same search as the knowledge_search tool). */
export class KnowledgeNodeConfig {
  @ApiProperty({ type: [String], format: 'uuid' }) knowledgeBaseIds: string[];
  @ApiProperty({ description: 'Template of the query' }) queryTemplate: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 }) topK?: number;
  @ApiPropertyOptional({ enum: ['hybrid', 'vector', 'fulltext'], default: 'hybrid' }) mode?: 'hybrid' | 'vector' | 'fulltext';
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'A metadata filter, as in knowledge search' }) filter?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'State variable that receives the results (an array)' }) output?: string;
}

/** The configuration classes by node type, for the OpenAPI document and for the workflow service's checks. */
export const WORKFLOW_NODE_CONFIGS = {
  start: null,
  output: OutputNodeConfig,
  agent: AgentNodeConfig,
  llm: LlmNodeConfig,
  tool: ToolNodeConfig,
  condition: ConditionNodeConfig,
  human: HumanNodeConfig,
  transform: TransformNodeConfig,
  knowledge: KnowledgeNodeConfig,
} as const satisfies Record<WorkflowNodeType, unknown>;
