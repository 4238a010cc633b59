import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsIn, IsInt, IsNotEmpty, IsNotEmptyObject, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { rpc } from '../contract.js';
import { AgentCreatedReply, AgentSnapshot, AgentView } from './agents.contracts.js';
import { MODEL_PROVIDERS, type ModelProvider } from '../common/model-providers.js';

const ANSWER_MAX = 4000;

/** The three answers of the Q&A wizard (seed 001): who, rules, tricks. */
export class QaAnswers {
  @ApiProperty({ example: 'Charlie, a friendly support agent for Acme routers', maxLength: ANSWER_MAX })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ANSWER_MAX)
  who: string;

  @ApiProperty({ example: 'Answer in English.\nNever promise refunds.', maxLength: ANSWER_MAX, description: 'One rule per line' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ANSWER_MAX)
  rules: string;

  @ApiPropertyOptional({ example: 'Search the knowledge base\nOpen a ticket', maxLength: ANSWER_MAX, description: 'One tool or skill per line' })
  @IsOptional()
  @IsString()
  @MaxLength(ANSWER_MAX)
  tricks?: string;
}

export class FromQaRequest extends QaAnswers {
  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to the first words of "who"' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiPropertyOptional({ enum: MODEL_PROVIDERS })
  @IsOptional()
  @IsIn(MODEL_PROVIDERS, { message: `modelProvider must be one of ${MODEL_PROVIDERS.join(', ')}` })
  modelProvider?: ModelProvider;

  @ApiPropertyOptional({ example: 'gpt-4o-mini' })
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'modelName must not be empty' })
  @MaxLength(200)
  modelName?: string;

  @ApiPropertyOptional({ description: "Ask the user's default model to improve the drafted prompt" })
  @IsOptional()
  @IsBoolean()
  refine?: boolean;
}

export class RegeneratePromptBody {
  @ApiPropertyOptional({ maxLength: ANSWER_MAX, description: 'A new answer; the stored one when omitted' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ANSWER_MAX)
  who?: string;

  @ApiPropertyOptional({ maxLength: ANSWER_MAX })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ANSWER_MAX)
  rules?: string;

  @ApiPropertyOptional({ maxLength: ANSWER_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(ANSWER_MAX)
  tricks?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  refine?: boolean;
}

export class RegeneratePromptRequest extends RegeneratePromptBody {
  @IsUUID()
  id: string;
}

export class PromptRefinement {
  @ApiProperty() requested: boolean;
  @ApiProperty({ description: 'True only when a model rewrote the drafted prompt' }) applied: boolean;
  @ApiPropertyOptional({ description: 'Why the draft was kept as it is' }) reason?: string;
}

export class WizardReply extends AgentCreatedReply {
  @ApiProperty({ type: PromptRefinement }) refinement: PromptRefinement;
}

export class RegenerateReply extends AgentView {
  @ApiProperty({ type: PromptRefinement }) refinement: PromptRefinement;
}

/** A portable agent: no ids, no owner, no knowledge bases (they belong to the exporting user). */
export class AgentDefinitionBody {
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() icon: string;
  @ApiProperty() color: string;
  @ApiProperty({ nullable: true, type: String }) avatarUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) qaWho: string | null;
  @ApiProperty({ nullable: true, type: String }) qaRules: string | null;
  @ApiProperty({ nullable: true, type: String }) qaTricks: string | null;
  @ApiProperty({ nullable: true, type: String }) templateName: string | null;
  @ApiProperty({ type: AgentSnapshot }) run: AgentSnapshot;
}

export const AGENT_DEFINITION_KIND = 'agent-platform/agent-definition';

export class AgentDefinition {
  @ApiProperty({ example: AGENT_DEFINITION_KIND }) kind: typeof AGENT_DEFINITION_KIND;
  @ApiProperty({ example: 1 }) formatVersion: 1;
  @ApiProperty({ description: 'The version this definition was exported from' }) sourceVersion: number;
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: AgentDefinitionBody }) agent: AgentDefinitionBody;
}

export class ImportAgentRequest {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: `An exported definition (GET /agents/:id/export), a seed-000 agent row (nama_model, system_message, tools as a JSON string, agent_type) or a seed-001 Q&A agent (name, qa_who, qa_rules, qa_tricks, system_prompt)`,
  })
  @IsObject()
  @IsNotEmptyObject()
  @Allow()
  definition: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;
}

export class ExportAgentRequest {
  @IsUUID()
  id: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version?: number;
}

/** `GET /agents/:id/export?version=` */
export class ExportAgentQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'The version to export; the current one when omitted' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version?: number;
}

export const WizardContracts = {
  fromQa: rpc('agent.agents.from-qa', FromQaRequest, WizardReply),
  regeneratePrompt: rpc('agent.agents.regenerate-prompt', RegeneratePromptRequest, RegenerateReply),
  export: rpc('agent.agents.export', ExportAgentRequest, AgentDefinition),
  import: rpc('agent.agents.import', ImportAgentRequest, AgentCreatedReply),
} as const;
