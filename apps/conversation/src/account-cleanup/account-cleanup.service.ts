import { Injectable } from '@nestjs/common';
import { ActingUser, Database } from '#persistence';
import { ConversationsService } from '../conversations/conversations.service.js';

@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly database: Database,
  ) {}

  /**
   * Every conversation of the user goes for good, deleted or not (messages, summaries and
   * attachments with their bytes cascade), in the inbox transaction. No conversation.deleted
   * events: that event means "soft-deleted, restorable", and every service hears user.deleted itself.
   */
  async userDeleted(userId: string): Promise<void> {
    // As the deleted user: what goes is that user's rows and no one else's.
    await ActingUser.run(userId, () => this.database.transaction(() => this.conversations.deleteAllOf(userId)));
  }

  /** The agent's conversations stay, readable and searchable, but archived: nothing can run them now. */
  async agentDeleted(ownerId: string, agentId: string): Promise<void> {
    await ActingUser.run(ownerId, () => this.conversations.archiveAllOfAgent(ownerId, agentId));
  }
}
