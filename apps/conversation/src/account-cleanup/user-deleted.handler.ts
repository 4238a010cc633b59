import { Controller, Inject } from '@nestjs/common';
import { UserDeleted, type UserDeletedEvent } from '#contracts';
import { type EventContext, OnEvent } from '#messaging';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from '../attachments/attachment-storage.js';
import { ConversationsRepository } from '../conversations/conversations.repository.js';

@Controller()
export class UserDeletedHandler {
  constructor(
    private readonly conversations: ConversationsRepository,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
  ) {}

  /**
   * Every conversation of the user goes for good, deleted or not (messages, summaries and
   * attachment rows cascade), in the inbox transaction; then the user's attachment folder. If the
   * transaction then fails, the event is redelivered and the rows go next time: files of a user
   * being deleted are never needed again. No conversation.deleted events: that event means
   * "soft-deleted, restorable", and every service hears user.deleted itself.
   */
  @OnEvent(UserDeleted)
  async onUserDeleted(event: UserDeletedEvent, context: EventContext): Promise<void> {
    await this.conversations.deleteByOwner(context.manager, event.userId);
    await this.storage.delete(`${event.userId}/`);
  }
}
