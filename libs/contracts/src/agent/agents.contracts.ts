import { PageQuery } from '../common/page-query.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsHexColor,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_INT32 } from '../common/int32.js';
import { MODEL_PROVIDERS, type ModelProvider } from '../common/model-providers.js';
import { Empty, rpc } from '../contract.js';

export const AGENT_TYPES = ['assistive', 'automation'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export const AGENT_STATUSES = ['created', 'running', 'stopped', 'error'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Providers the execution service can reach (OpenAI-compatible endpoints and LangChain packages). */

export const MEMORY_STRATEGIES = ['none', 'window', 'summary'] as const;
export type MemoryStrategy = (typeof MEMORY_STRATEGIES)[number];

export const TOOL_KINDS = ['builtin', 'registry', 'mcp', 'integration'] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];

const TOOL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * A reference to a tool an agent may call, never the tool itself: built-in tools by name, registry
 * tools and MCP server tools by their owner's ids, integrations by provider (e.g. google.gmail).
 */
export class ToolReference {
  @ApiProperty({ enum: TOOL_KINDS })
  @IsIn(TOOL_KINDS)
  kind: ToolKind;

  @ApiProperty({ example: 'calculator', description: 'Tool name: letters, digits, _ . - (at most 100)' })
  @IsString()
  @Matches(TOOL_NAME, { message: 'name must be 1-100 letters, digits, "_", "." or "-", starting with a letter or digit' })
  name: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for kind registry (the tool id) and mcp (the MCP server id)' })
  @ValidateIf((tool: ToolReference) => tool.kind === 'registry' || tool.kind === 'mcp' || tool.refId !== undefined)
  @IsUUID('all', { message: 'refId must be the UUID of the registry tool or MCP server' })
  refId?: string;

  @ApiPropertyOptional({ example: 'google', description: 'Required for kind integration: the provider whose consent the tool needs' })
  @ValidateIf((tool: ToolReference) => tool.kind === 'integration' || tool.provider !== undefined)
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,39}$/, { message: 'provider must be a lower-case provider name' })
  provider?: string;

  @ApiPropertyOptional({ description: 'A person approves or denies each call of this tool before it runs (the run waits in requires_action)' })
  @IsOptional()
  @IsBoolean()
  requireApproval?: boolean;

  @ApiPropertyOptional({ type: [String], maxItems: 200, description: 'Kind mcp: only these tools of the server' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  include?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: 200, description: 'Kind mcp: every tool of the server but these' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  exclude?: string[];
}

export class RunLimits {
  @ApiPropertyOptional({ minimum: 1, maximum: 200 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  maxSteps?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 2_000_000, description: 'Tokens over the whole run' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_000_000)
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  timeoutSeconds?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Cost budget in micro-dollars' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  costBudgetMicros?: number;
}

export class AgentConfiguration {
  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 200_000, description: 'Tokens per model reply' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200_000)
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  topP?: number;

  @ApiPropertyOptional({ type: [String], maxItems: 8 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  stopSequences?: string[];

  @ApiPropertyOptional({ type: RunLimits })
  @IsOptional()
  @ValidateNested()
  @Type(() => RunLimits)
  limits?: RunLimits;
}

export class MemorySettings {
  @ApiProperty({ enum: MEMORY_STRATEGIES })
  @IsIn(MEMORY_STRATEGIES)
  strategy: MemoryStrategy;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'Messages kept (window) or summarised (summary)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  size?: number;
}

/** The fields a user may set on an agent; every one optional so PATCH and create share them. */
export class AgentFields {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ example: 'bot', maxLength: 50 })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{1,50}$/, { message: 'icon must be an icon name: lower-case letters, digits and "-"' })
  icon?: string;

  @ApiPropertyOptional({ example: '#7C3AED' })
  @IsOptional()
  @IsHexColor()
  color?: string;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(500)
  avatarUrl?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  projectId?: string | null;

  @ApiPropertyOptional({ enum: AGENT_TYPES })
  @IsOptional()
  @IsIn(AGENT_TYPES)
  agentType?: AgentType;

  @ApiPropertyOptional({ enum: MODEL_PROVIDERS })
  @IsOptional()
  @IsIn(MODEL_PROVIDERS, { message: `modelProvider must be one of ${MODEL_PROVIDERS.join(', ')}` })
  modelProvider?: ModelProvider;

  @ApiPropertyOptional({ example: 'gpt-4o-mini', maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'modelName must not be empty' })
  @MaxLength(200)
  modelName?: string;

  @ApiPropertyOptional({ description: 'At most AGENT_MAX_PROMPT_CHARS characters' })
  @IsOptional()
  @IsString()
  systemPrompt?: string;

  @ApiPropertyOptional({ type: [ToolReference], maxItems: 64 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => ToolReference)
  tools?: ToolReference[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 32 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsUUID('all', { each: true })
  knowledgeBaseIds?: string[];

  @ApiPropertyOptional({ type: MemorySettings })
  @IsOptional()
  @ValidateNested()
  @Type(() => MemorySettings)
  memory?: MemorySettings;

  @ApiPropertyOptional({ type: AgentConfiguration })
  @IsOptional()
  @ValidateNested()
  @Type(() => AgentConfiguration)
  configuration?: AgentConfiguration;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class CreateAgentRequest extends AgentFields {
  @ApiPropertyOptional({ example: 'support_bot', description: 'A built-in template (GET /templates) to start from' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  template?: string;
}

/** PATCH body: the agent fields plus the status, whose transitions the service checks. */
export class UpdateAgentBody extends AgentFields {
  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;
}

export class UpdateAgentRequest extends UpdateAgentBody {
  @IsUUID()
  id: string;
}

export class AgentIdRequest {
  @IsUUID()
  id: string;
}

export class ListAgentsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiPropertyOptional({ enum: AGENT_TYPES })
  @IsOptional()
  @IsIn(AGENT_TYPES)
  type?: AgentType;

  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;

  @ApiPropertyOptional({ description: 'Text the name contains (case-insensitive)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true lists deleted agents that can still be restored' })
  @IsOptional()
  @IsIn(['true', 'false'])
  deleted?: 'true' | 'false';

}

export class AgentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() icon: string;
  @ApiProperty() color: string;
  @ApiProperty({ nullable: true, type: String }) avatarUrl: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) projectId: string | null;
  @ApiProperty({ enum: AGENT_TYPES }) agentType: AgentType;
  @ApiProperty({ enum: AGENT_STATUSES }) status: AgentStatus;
  @ApiProperty({ enum: MODEL_PROVIDERS }) modelProvider: ModelProvider;
  @ApiProperty() modelName: string;
  @ApiProperty() systemPrompt: string;
  @ApiProperty({ nullable: true, type: String }) qaWho: string | null;
  @ApiProperty({ nullable: true, type: String }) qaRules: string | null;
  @ApiProperty({ nullable: true, type: String }) qaTricks: string | null;
  @ApiProperty({ type: [ToolReference] }) tools: ToolReference[];
  @ApiProperty({ type: [String] }) knowledgeBaseIds: string[];
  @ApiProperty({ type: MemorySettings }) memory: MemorySettings;
  @ApiProperty({ type: AgentConfiguration }) configuration: AgentConfiguration;
  @ApiProperty({ nullable: true, type: String }) templateName: string | null;
  @ApiProperty() isPublished: boolean;
  @ApiProperty({ nullable: true, type: Number }) publishedVersion: number | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ description: 'The version a new run would pin' }) currentVersion: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deletedAt: string | null;
}

export class AgentList {
  @ApiProperty({ type: [AgentView] }) items: AgentView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

/** Seed 000: saving an agent (create, import, update) answers with the consent links its integration tools need (providers the owner has not connected). */
export class AgentSavedReply extends AgentView {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Consent URL per integration provider the agent\'s tools need and you have not connected' })
  authUrls: Record<string, string>;
}

export class AgentCreatedReply extends AgentSavedReply {}

/** What a run needs, frozen: the body of an immutable version. */
export class AgentSnapshot {
  @ApiProperty({ enum: AGENT_TYPES }) agentType: AgentType;
  @ApiProperty({ enum: MODEL_PROVIDERS }) modelProvider: ModelProvider;
  @ApiProperty() modelName: string;
  @ApiProperty() systemPrompt: string;
  @ApiProperty({ type: [ToolReference] }) tools: ToolReference[];
  @ApiProperty({ type: [String] }) knowledgeBaseIds: string[];
  @ApiProperty({ type: MemorySettings }) memory: MemorySettings;
  @ApiProperty({ type: AgentConfiguration }) configuration: AgentConfiguration;
}

export class AgentVersionView {
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: AgentSnapshot }) snapshot: AgentSnapshot;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AgentVersionList {
  @ApiProperty({ type: [AgentVersionView] }) items: AgentVersionView[];
}

export class AgentVersionRequest {
  @IsUUID()
  id: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version: number;
}

export class PublishAgentBody {
  @ApiPropertyOptional({ description: 'The version to publish; the current one when omitted', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;
}

export class PublishAgentRequest extends PublishAgentBody {
  @IsUUID()
  id: string;
}

export const AgentContracts = {
  create: rpc('agent.agents.create', CreateAgentRequest, AgentCreatedReply),
  list: rpc('agent.agents.list', ListAgentsQuery, AgentList),
  get: rpc('agent.agents.get', AgentIdRequest, AgentView),
  update: rpc('agent.agents.update', UpdateAgentRequest, AgentSavedReply),
  delete: rpc('agent.agents.delete', AgentIdRequest, Empty),
  restore: rpc('agent.agents.restore', AgentIdRequest, AgentView),
  listVersions: rpc('agent.versions.list', AgentIdRequest, AgentVersionList),
  getVersion: rpc('agent.versions.get', AgentVersionRequest, AgentVersionView),
  restoreVersion: rpc('agent.versions.restore', AgentVersionRequest, AgentView),
  publish: rpc('agent.agents.publish', PublishAgentRequest, AgentView),
} as const;
