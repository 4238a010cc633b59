import { Controller } from '@nestjs/common';
import { type AgentChangedEvent, AgentDeleted, UserDeleted, type UserDeletedEvent } from '#contracts';
import { OnEvent } from '#messaging';
import { AccountCleanupService } from './account-cleanup.service.js';

@Controller()
export class AccountCleanupHandler {
  constructor(private readonly cleanup: AccountCleanupService) {}

  @OnEvent(UserDeleted)
  onUserDeleted(event: UserDeletedEvent): Promise<void> {
    return this.cleanup.userDeleted(event.userId);
  }

  @OnEvent(AgentDeleted)
  onAgentDeleted(event: AgentChangedEvent): Promise<void> {
    return this.cleanup.agentDeleted(event.ownerId, event.agentId);
  }
}
