import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { rpc } from '../contract.js';
import { MESSAGE_ROLES, type MessageRole } from './messages.contracts.js';

/** Longest query accepted, and most words: enough for any real search, too little for a slow one. */
export const SEARCH_MAX_CHARS = 500;
export const SEARCH_MAX_TERMS = 32;

export class SearchMessagesQuery {
  @ApiProperty({ maxLength: SEARCH_MAX_CHARS, description: 'Web-search syntax: words, "quoted phrases", -excluded, or' })
  @IsString()
  @MaxLength(SEARCH_MAX_CHARS)
  q: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Messages written at or after this instant' })
  @IsOptional()
  @IsDateString()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Messages written before this instant' })
  @IsOptional()
  @IsDateString()
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;
}

export class SearchHit {
  @ApiProperty({ format: 'uuid' }) messageId: string;
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ nullable: true, type: String }) conversationTitle: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agentId: string | null;
  @ApiProperty({ enum: MESSAGE_ROLES }) role: MessageRole;
  @ApiProperty({ description: 'HTML-escaped text around the matches, each match inside <mark></mark>' }) snippet: string;
  @ApiProperty() rank: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SearchResults {
  @ApiProperty({ type: [SearchHit] }) items: SearchHit[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const SearchContracts = {
  messages: rpc('conversation.messages.search', SearchMessagesQuery, SearchResults),
} as const;
