import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { AttachmentsService } from '../attachments/attachments.service.js';
import { ConversationsService } from '../conversations/conversations.service.js';

@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly attachments: AttachmentsService,
    private readonly database: Database,
  ) {}

  /**
   * Every conversation of the user goes for good, deleted or not (messages, summaries and
   * attachment rows cascade), in the inbox transaction; then the user's attachment folder. If the
   * transaction then fails, the event is redelivered and the rows go next time: files of a user
   * being deleted are never needed again. No conversation.deleted events: that event means
   * "soft-deleted, restorable", and every service hears user.deleted itself.
   */
  async userDeleted(userId: string): Promise<void> {
    await this.database.transaction(async () => {
      await this.conversations.deleteAllOf(userId);
      await this.attachments.deleteAllFilesOf(userId);
    });
  }

  /** The agent's conversations stay, readable and searchable, but archived: nothing can run them now. */
  async agentDeleted(ownerId: string, agentId: string): Promise<void> {
    await this.conversations.archiveAllOfAgent(ownerId, agentId);
  }
}
