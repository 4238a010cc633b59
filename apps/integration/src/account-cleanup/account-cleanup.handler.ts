import { Controller } from '@nestjs/common';
import { UserDeleted, type UserDeletedEvent } from '#contracts';
import { OnEvent } from '#messaging';

@Controller()
export class AccountCleanupHandler {
  /**
   * The integration service stores no user rows yet, so handling the event is only its inbox record
   * (written by the dispatcher in this same transaction). When it owns rows, this handler calls an
   * AccountCleanupService that deletes them through the owning features' services, as the other
   * services do.
   */
  @OnEvent(UserDeleted)
  async onUserDeleted(_event: UserDeletedEvent): Promise<void> {}
}
