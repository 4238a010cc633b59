import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { ActingUser, Database } from '#persistence';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MessagesService } from '../messages/messages.service.js';

/**
 * Removes conversations and messages deleted longer ago than the retention period. Every replica
 * runs it; the DELETEs are idempotent, so overlapping runs only repeat a cheap no-op.
 */
@Injectable()
export class PurgeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'conversation-purge' });

  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly database: Database,
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.purgeIntervalSeconds === 0) return;
    this.timer = setInterval(() => void this.purgeSafely(), this.config.purgeIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns what went. Attachments (rows and bytes) cascade with their conversations. */
  async purge(now = new Date()): Promise<{ conversations: number; messages: number }> {
    const before = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    return ActingUser.system('purge conversations and messages past retention', () => this.database.transaction(async () => {
      const purgeable = await this.conversations.purgeable(before);
      const conversations = await this.conversations.purge(purgeable);
      const messages = await this.messages.purgeDeleted(before);
      return { conversations, messages };
    }));
  }

  private async purgeSafely(): Promise<void> {
    try {
      const result = await this.purge();
      if (result.conversations + result.messages > 0) this.log.info(result, 'purged deleted conversations and messages');
    } catch (err) {
      this.log.warn(describeError(err), 'purge failed; the next pass retries');
    }
  }
}
