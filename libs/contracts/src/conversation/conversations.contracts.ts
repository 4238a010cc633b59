import { PageQuery } from '../common/page-query.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Empty, rpc } from '../contract.js';

/** Running totals of a conversation's live messages, kept in the same transaction as the writes. */
export class ConversationTotals {
  @ApiProperty() messages: number;
  @ApiProperty() promptTokens: number;
  @ApiProperty() completionTokens: number;
  @ApiProperty() totalTokens: number;
  @ApiProperty({ description: 'Cost in micro-dollars (1,000,000 = $1)' }) costMicros: number;
}

export class ConversationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agentId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) workflowId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) projectId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Set from the first user message unless given' }) title: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) sessionId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) sessionContext: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty() isArchived: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The last message of the branch shown' }) currentLeafId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastMessageAt: string | null;
  @ApiProperty({ type: ConversationTotals }) totals: ConversationTotals;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deletedAt: string | null;
}

export class ConversationList {
  @ApiProperty({ type: [ConversationView] }) items: ConversationView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class CreateConversationRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'Exactly one of agentId and workflowId' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Exactly one of agentId and workflowId' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Otherwise set from the first user message' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An execution session this conversation belongs to (unique among your conversations)' })
  @IsOptional()
  @IsUUID()
  sessionId?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  sessionContext?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class UpdateConversationBody {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isArchived?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  sessionContext?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class UpdateConversationRequest extends UpdateConversationBody {
  @IsUUID()
  id: string;
}

export class ConversationIdRequest {
  @IsUUID()
  id: string;
}

export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Archived conversations only (true) or live ones only (false); both when omitted' })
  @IsOptional()
  @IsIn(['true', 'false'])
  archived?: 'true' | 'false';

}

export const ConversationContracts = {
  create: rpc('conversation.conversations.create', CreateConversationRequest, ConversationView),
  list: rpc('conversation.conversations.list', ListConversationsQuery, ConversationList),
  get: rpc('conversation.conversations.get', ConversationIdRequest, ConversationView),
  update: rpc('conversation.conversations.update', UpdateConversationRequest, ConversationView),
  delete: rpc('conversation.conversations.delete', ConversationIdRequest, Empty),
  restore: rpc('conversation.conversations.restore', ConversationIdRequest, ConversationView),
} as const;
