import { Controller } from '@nestjs/common';
import { AgentDeleted, type AgentChangedEvent, UserDeleted, type UserDeletedEvent } from '#contracts';
import { OnEvent } from '#messaging';
import { AccountCleanupService } from './account-cleanup.service.js';

/** Other services' deletions, heard here; each runs in the inbox transaction. */
@Controller()
export class AccountCleanupHandler {
  constructor(private readonly cleanup: AccountCleanupService) {}

  @OnEvent(UserDeleted)
  async onUserDeleted(event: UserDeletedEvent): Promise<void> {
    await this.cleanup.userDeleted(event.userId);
  }

  @OnEvent(AgentDeleted)
  async onAgentDeleted(event: AgentChangedEvent): Promise<void> {
    await this.cleanup.agentDeleted(event.ownerId, event.agentId);
  }
}
