import { Controller } from '@nestjs/common';
import { AgentDeleted, type AgentChangedEvent } from '#contracts';
import { type EventContext, OnEvent } from '#messaging';
import { ConversationsRepository } from '../conversations/conversations.repository.js';

@Controller()
export class AgentDeletedHandler {
  constructor(private readonly conversations: ConversationsRepository) {}

  /** The agent's conversations stay, readable and searchable, but archived: nothing can run them now. */
  @OnEvent(AgentDeleted)
  async onAgentDeleted(event: AgentChangedEvent, context: EventContext): Promise<void> {
    await this.conversations.archiveByAgent(context.manager, event.ownerId, event.agentId);
  }
}
