import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { SessionEntity } from './session.entity.js';

export type NewSession = Pick<SessionEntity, 'id' | 'ownerId' | 'agentId'> & Partial<Pick<SessionEntity, 'conversationId' | 'status' | 'variables'>>;

/** Error logs a session keeps: the newest (a run's ending trims them, RunEngineRepository.finish). */
export const MAX_SESSION_ERROR_LOGS = 50;

@Injectable()
export class SessionsRepository {
  constructor(private readonly database: Database) {}

  private get sessions() {
    return this.database.repository(SessionEntity);
  }

  findOfConversation(agentId: string, conversationId: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ agentId, conversationId });
  }

  find(id: string, ownerId: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id, ownerId });
  }

  /** Plain SQL: a conversation's session, written on its first run (the Repository API's insert costs twice the CPU of the statement). */
  async insert(session: NewSession): Promise<void> {
    const { table, columns, params } = this.database.columnsOf(SessionEntity, session);
    await this.database.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`, params);
  }


  async deleteByOwner(ownerId: string): Promise<void> {
    await this.sessions.delete({ ownerId });
  }
}
