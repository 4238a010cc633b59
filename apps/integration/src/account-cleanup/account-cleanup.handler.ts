import { Controller } from '@nestjs/common';
import { UserDeleted, type UserDeletedEvent } from '#contracts';
import { OnEvent } from '#messaging';
import { AccountCleanupService } from './account-cleanup.service.js';

@Controller()
export class AccountCleanupHandler {
  constructor(private readonly cleanup: AccountCleanupService) {}

  @OnEvent(UserDeleted)
  onUserDeleted(event: UserDeletedEvent): Promise<void> {
    return this.cleanup.deleteUser(event.userId);
  }
}
