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

  /**
   * Plain SQL: a standalone run's own session is written with every such run (the bench's
   * agent-run), where the Repository API's insert costs twice the CPU of the statement.
   */
  async insert(session: NewSession): Promise<void> {
    const { table, columns, params } = this.database.columnsOf(SessionEntity, session);
    await this.database.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`, params);
  }

  /** Plain SQL: the variables merge in the statement (jsonb ||), so two runs queued at once keep each other's. */
  async markStarted(id: string, variables: Record<string, string>): Promise<void> {
    await this.database.query(
      `UPDATE "execution"."sessions"
       SET "status" = 'running', "variables" = "variables" || $2::jsonb, "last_active_at" = now(), "completed_at" = NULL, "updated_at" = now()
       WHERE "id" = $1`,
      [id, JSON.stringify(variables)],
    );
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.sessions.delete({ ownerId });
  }
}
