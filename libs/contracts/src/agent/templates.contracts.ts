import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Empty, rpc } from '../contract.js';
import { AgentSnapshot } from './agents.contracts.js';

/** A built-in agent template shipped with the platform. */
export class AgentTemplateView {
  @ApiProperty({ example: 'support_bot' }) name: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty() icon: string;
  @ApiProperty() color: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: AgentSnapshot, description: 'What an agent created from it starts with' }) run: AgentSnapshot;
}

export class AgentTemplateList {
  @ApiProperty({ type: [AgentTemplateView] }) items: AgentTemplateView[];
}

const PROMPT_MAX = 32_000;

export class CreatePromptTemplateRequest {
  @ApiProperty({ example: 'polite-reply', description: 'Unique per user: lower-case letters, digits, "-" and "_"' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'name must be 1-100 lower-case letters, digits, "-" or "_"' })
  name: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ maxLength: PROMPT_MAX, example: 'Reply politely to {{customer}}.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PROMPT_MAX)
  content: string;

  @ApiPropertyOptional({ type: [String], description: 'Names of the {{variables}} the content uses' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { each: true, message: 'each variable must be an identifier' })
  variables?: string[];
}

export class UpdatePromptTemplateBody {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ maxLength: PROMPT_MAX })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PROMPT_MAX)
  content: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { each: true, message: 'each variable must be an identifier' })
  variables?: string[];
}

export class UpdatePromptTemplateRequest extends UpdatePromptTemplateBody {
  @IsUUID()
  id: string;
}

export class PromptTemplateIdRequest {
  @IsUUID()
  id: string;
}

export class PromptTemplateView {
  @ApiProperty({ format: 'uuid', description: 'Stays the same across versions' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() content: string;
  @ApiProperty({ type: [String] }) variables: string[];
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class PromptTemplateList {
  @ApiProperty({ type: [PromptTemplateView] }) items: PromptTemplateView[];
}

export const TemplateContracts = {
  listAgentTemplates: rpc('agent.templates.list', Empty, AgentTemplateList),
  listPromptTemplates: rpc('agent.prompt-templates.list', Empty, PromptTemplateList),
  createPromptTemplate: rpc('agent.prompt-templates.create', CreatePromptTemplateRequest, PromptTemplateView),
  getPromptTemplate: rpc('agent.prompt-templates.get', PromptTemplateIdRequest, PromptTemplateView),
  updatePromptTemplate: rpc('agent.prompt-templates.update', UpdatePromptTemplateRequest, PromptTemplateView),
  listPromptTemplateVersions: rpc('agent.prompt-templates.versions', PromptTemplateIdRequest, PromptTemplateList),
  deletePromptTemplate: rpc('agent.prompt-templates.delete', PromptTemplateIdRequest, Empty),
} as const;
