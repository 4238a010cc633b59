import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { SummaryEntity } from './summary.entity.js';

/** The summaries table: one rolling summary per conversation. */
@Injectable()
export class MemoryRepository {
  constructor(private readonly database: Database) {}

  findSummary(conversationId: string): Promise<SummaryEntity | null> {
    return this.database.repository(SummaryEntity).findOneBy({ conversationId });
  }

  /**
   * Writes the conversation's summary over the one it had. The entity's listener gives a new row its
   * id; on a conflict only the summary's columns (and updated_at) are overwritten, so the row keeps its id.
   */
  async saveSummary(conversationId: string, throughMessageId: string, content: string): Promise<void> {
    const summaries = this.database.repository(SummaryEntity);
    await summaries.upsert(summaries.create({ conversationId, throughMessageId, content }), { conflictPaths: ['conversationId'] });
  }
}
