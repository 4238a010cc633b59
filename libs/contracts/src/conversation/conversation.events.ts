import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { event } from '../contract.js';
import { MESSAGE_ROLES, type MessageRole } from './messages.contracts.js';

export class ConversationChangedEvent {
  @IsUUID()
  conversationId: string;

  @IsUUID()
  ownerId: string;

  @IsOptional()
  @IsUUID()
  agentId?: string;

  @IsOptional()
  @IsUUID()
  workflowId?: string;
}

export class MessageCreatedEvent {
  @IsUUID()
  messageId: string;

  @IsUUID()
  conversationId: string;

  @IsUUID()
  ownerId: string;

  @IsIn(MESSAGE_ROLES)
  role: MessageRole;

  @IsOptional()
  @IsUUID()
  runId?: string;
}

export const ConversationCreated = event('events.conversation.conversation.created', ConversationChangedEvent);
/** Soft delete: restorable until the retention period ends, then purged without a further event. */
export const ConversationDeleted = event('events.conversation.conversation.deleted', ConversationChangedEvent);
export const ConversationRestored = event('events.conversation.conversation.restored', ConversationChangedEvent);
export const MessageCreated = event('events.conversation.message.created', MessageCreatedEvent);
