import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Empty, rpc } from '../contract.js';
import { ConversationIdRequest } from './conversations.contracts.js';

export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export class TokenUsage {
  @ApiProperty() prompt: number;
  @ApiProperty() completion: number;
  @ApiProperty() total: number;
}

/** A tool call the model asked for, as OpenAI-compatible APIs describe it. */
export class ToolCall {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The arguments as the model wrote them (usually JSON text)' }) arguments: string;
}

export class MessageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) parentId: string | null;
  @ApiProperty({ enum: MESSAGE_ROLES }) role: MessageRole;
  @ApiProperty() content: string;
  @ApiProperty({ nullable: true, type: [ToolCall] }) toolCalls: ToolCall[] | null;
  @ApiProperty({ nullable: true, type: String, description: 'For role tool: the call this is the result of' }) toolCallId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) runId: string | null;
  @ApiProperty({ nullable: true, type: String }) model: string | null;
  @ApiProperty({ nullable: true, type: TokenUsage }) tokenUsage: TokenUsage | null;
  @ApiProperty({ description: 'Micro-dollars' }) costMicros: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MessageList {
  @ApiProperty({ type: [MessageView], description: 'Root first, leaf last; the page nearest the leaf comes first' }) items: MessageView[];
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) leafId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The older part of the branch (towards the root)' }) nextCursor: string | null;
}

export class TreeNode {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) parentId: string | null;
  @ApiProperty({ enum: MESSAGE_ROLES }) role: MessageRole;
  @ApiProperty({ description: 'The first 80 characters' }) preview: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ConversationTree {
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) currentLeafId: string | null;
  @ApiProperty({ type: [TreeNode], description: 'Every live message, oldest first' }) nodes: TreeNode[];
}

export class ListMessagesQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Show the branch ending at this message instead of the current one' })
  @IsOptional()
  @IsUUID()
  leaf?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100, description: 'Messages per page (a page also stops at about 512 KiB of content)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class ListMessagesRequest extends ListMessagesQuery {
  @IsUUID()
  id: string;
}

export class AddMessageBody {
  @ApiProperty({ description: 'At most CONVERSATION_MAX_MESSAGE_CHARS characters' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  content: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'The message this one answers; the current leaf when omitted; null starts a new first message (a new branch from the top, as editing the first message does)' })
  @IsOptional()
  @IsUUID()
  parentId?: string | null;
}

export class AddMessageRequest extends AddMessageBody {
  @IsUUID()
  id: string;
}

export class EditMessageBody {
  @ApiProperty({ description: 'The new text; the edit becomes a sibling of the original, on a new current branch' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  content: string;
}

export class EditMessageRequest extends EditMessageBody {
  @IsUUID()
  id: string;
}

export class SwitchBranchBody {
  @ApiProperty({ format: 'uuid', description: 'A message of the conversation; the newest leaf below it becomes current' })
  @IsUUID()
  leafId: string;
}

export class SwitchBranchRequest extends SwitchBranchBody {
  @IsUUID()
  id: string;
}

export class MessageIdRequest {
  @IsUUID()
  id: string;
}

export const MessageContracts = {
  list: rpc('conversation.messages.list', ListMessagesRequest, MessageList),
  tree: rpc('conversation.messages.tree', ConversationIdRequest, ConversationTree),
  add: rpc('conversation.messages.add', AddMessageRequest, MessageView),
  edit: rpc('conversation.messages.edit', EditMessageRequest, MessageView),
  switchBranch: rpc('conversation.branches.switch', SwitchBranchRequest, MessageList),
  delete: rpc('conversation.messages.delete', MessageIdRequest, Empty),
  restore: rpc('conversation.messages.restore', MessageIdRequest, MessageView),
} as const;
