import { Controller } from '@nestjs/common';
import { ProjectDeleted, type ProjectDeletedEvent, UserDeleted, type UserDeletedEvent } from '#contracts';
import { OnEvent } from '#messaging';
import { AccountCleanupService } from './account-cleanup.service.js';

/** What the identity service's account events mean here; each runs in its inbox transaction. */
@Controller()
export class AccountCleanupHandler {
  constructor(private readonly cleanup: AccountCleanupService) {}

  @OnEvent(UserDeleted)
  onUserDeleted(event: UserDeletedEvent): Promise<void> {
    return this.cleanup.userDeleted(event.userId);
  }

  @OnEvent(ProjectDeleted)
  onProjectDeleted(event: ProjectDeletedEvent): Promise<void> {
    return this.cleanup.projectDeleted(event.ownerId, event.projectId);
  }
}
