import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { type ConversationConfig, PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { CONVERSATION_CONFIG } from '../conversation-config.module.js';
import { FileBackend } from './file.backend.js';
import { InMemoryBackend } from './in-memory.backend.js';
import type { MemoryBackend, StoredMessage } from './memory-backend.js';

export type { MemoryBackend, StoredMessage, StoredSummary } from './memory-backend.js';

/**
 * The copy of every conversation's messages that the file and in_memory memory backends keep
 * (CONVERSATION_MEMORY_BACKEND), fed as messages are written. Under sql there is no copy: the
 * memory feature reads the messages themselves.
 */
@Injectable()
export class MemoryCopiesService {
  /** The backend runs read memory from when it keeps its own copy; null under sql. */
  readonly copy: MemoryBackend | null;

  constructor(@Inject(CONVERSATION_CONFIG) config: ConversationConfig, @Inject(PLATFORM_CONFIG) platform: PlatformConfig) {
    switch (config.memoryBackend) {
      case 'sql':
        this.copy = null;
        break;
      case 'file':
        this.copy = new FileBackend(join(platform.dataDir, 'memory'));
        break;
      case 'in_memory':
        this.copy = new InMemoryBackend();
        break;
      default: {
        const unreachable: never = config.memoryBackend;
        throw new Error(`unknown memory backend ${String(unreachable)}`);
      }
    }
  }

  /** A message was written; it becomes its conversation's current leaf in the copy. */
  async record(ownerId: string, conversationId: string, message: StoredMessage): Promise<void> {
    await this.copy?.record(ownerId, conversationId, message);
  }
}
