import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Empty, rpc } from '../contract.js';
import { MESSAGE_ROLES, type MessageRole, MessageView } from './messages.contracts.js';

/**
 * Subjects only the execution service may call (actor kind 'service', service 'execution'): it
 * writes what a run said and reads the history a model should see. The owner travels in the
 * request because the caller is a service, not the user.
 */
export class ToolCallInput {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  id: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @IsString()
  @MaxLength(200_000)
  arguments: string;
}

export class TokenUsageInput {
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  prompt: number;

  @IsInt()
  @Min(0)
  @Max(100_000_000)
  completion: number;

  @IsInt()
  @Min(0)
  @Max(200_000_000)
  total: number;
}

export class RunTarget {
  @IsUUID()
  ownerId: string;

  @IsUUID()
  conversationId: string;

  @IsUUID()
  runId: string;
}

export class AppendRunUserMessageRequest extends RunTarget {
  /** The step number the run gives this write; (runId, step) makes a retry harmless. */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  step: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  content: string;

  /** The current leaf when absent; null: a new first message. */
  @IsOptional()
  @IsUUID()
  parentId?: string | null;
}

export const RUN_MESSAGE_ROLES = ['assistant', 'tool', 'system'] as const satisfies readonly MessageRole[];

export class RunMessageInput {
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  step: number;

  @IsIn(RUN_MESSAGE_ROLES)
  role: (typeof RUN_MESSAGE_ROLES)[number];

  /** May be empty for an assistant turn that only calls tools. */
  @IsString()
  @MaxLength(1_000_000)
  content: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ToolCallInput)
  toolCalls?: ToolCallInput[];

  @IsOptional()
  @IsString()
  @MaxLength(200)
  toolCallId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => TokenUsageInput)
  tokenUsage?: TokenUsageInput;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  costMicros?: number;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class AppendRunMessagesRequest extends RunTarget {
  /** Written in order, each the child of the one before; the first answers parentId or the current leaf. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RunMessageInput)
  messages: RunMessageInput[];

  @IsOptional()
  @IsUUID()
  parentId?: string;
}

export class RunMessagesReply {
  @ApiProperty({ type: [MessageView] }) items: MessageView[];
}

export const MEMORY_MODES = ['window', 'summary'] as const;
export type MemoryMode = (typeof MEMORY_MODES)[number];

export class MemoryRequest {
  @IsUUID()
  ownerId: string;

  @IsUUID()
  conversationId: string;

  /** The branch to read; the current one when omitted. */
  @IsOptional()
  @IsUUID()
  leafId?: string;

  @IsIn(MEMORY_MODES)
  mode: MemoryMode;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxMessages?: number;

  /** Capped so the reply (about 4 characters a token) stays under the bus's 1 MiB message limit. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(150_000)
  maxTokens?: number;
}

export class MemoryMessage {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: MESSAGE_ROLES }) role: MessageRole;
  @ApiProperty() content: string;
  @ApiPropertyOptional({ nullable: true }) toolCalls: Array<{ id: string; name: string; arguments: string }> | null;
  @ApiPropertyOptional({ nullable: true, type: String }) toolCallId: string | null;
}

export class MemoryReply {
  @ApiProperty({ nullable: true, type: String, description: 'The rolling summary of what came before the messages (summary mode)' }) summary: string | null;
  @ApiProperty({ type: [MemoryMessage], description: 'Oldest first' }) messages: MemoryMessage[];
  @ApiProperty({ description: 'Tokens of summary + messages, estimated at 4 characters per token' }) estimatedTokens: number;
  @ApiProperty({ description: 'True when older messages of the branch were left out' }) truncated: boolean;
}

export class WriteSummaryRequest {
  @IsUUID()
  ownerId: string;

  @IsUUID()
  conversationId: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200_000)
  summary: string;

  /** The last message the summary covers; later messages of its branch follow it in memory. */
  @IsUUID()
  throughMessageId: string;
}

export const RunWriteContracts = {
  appendUserMessage: rpc('conversation.runs.append-user-message', AppendRunUserMessageRequest, MessageView),
  appendMessages: rpc('conversation.runs.append-messages', AppendRunMessagesRequest, RunMessagesReply),
} as const;

export const MemoryContracts = {
  get: rpc('conversation.memory.get', MemoryRequest, MemoryReply),
  writeSummary: rpc('conversation.memory.write-summary', WriteSummaryRequest, Empty),
} as const;
