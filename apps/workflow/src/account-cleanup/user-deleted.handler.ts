import { Controller } from '@nestjs/common';
import { UserDeleted, type UserDeletedEvent } from '#contracts';
import { type EventContext, OnEvent } from '#messaging';

@Controller()
export class UserDeletedHandler {
  /**
   * The workflow service stores no user rows yet, so handling the event is only its inbox record
   * (written by the dispatcher in this same transaction). Rows added later are deleted here,
   * through context.manager.
   */
  @OnEvent(UserDeleted)
  async onUserDeleted(_event: UserDeletedEvent, _context: EventContext): Promise<void> {}
}
