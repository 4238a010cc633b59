import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ConversationConfig } from '#config';
import { describeError, rootLogger } from '#observability';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource } from 'typeorm';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from '../attachments/attachment-storage.js';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { ConversationsRepository } from '../conversations/conversations.repository.js';
import { MessagesRepository } from '../messages/messages.repository.js';

/**
 * Removes conversations and messages deleted longer ago than the retention period. Every replica
 * runs it; the DELETEs are idempotent, so overlapping runs only repeat a cheap no-op.
 */
@Injectable()
export class PurgeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = rootLogger().child({ component: 'conversation-purge' });

  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
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

  /** One pass; returns what went. Files go after the rows commit, so a failed pass loses no bytes that are still referenced. */
  async purge(now = new Date()): Promise<{ conversations: number; messages: number; files: number }> {
    const before = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    const result = await this.dataSource.transaction(async (manager) => {
      const gone = await this.conversations.purgeDeleted(manager, before);
      const messages = await this.messages.purgeDeleted(manager, before);
      return { ...gone, messages };
    });
    for (const key of result.storageKeys) await this.storage.delete(key);
    return { conversations: result.conversations, messages: result.messages, files: result.storageKeys.length };
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
