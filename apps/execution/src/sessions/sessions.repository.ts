import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import type { SessionStatus } from '#contracts';
import { type SessionErrorLog, SessionEntity } from './session.entity.js';

/** What one run's ending changes on its session, written in one statement. */
export interface SessionChange {
  status: SessionStatus;
  final: boolean;
  messagesAdded: number;
  /** Tool name -> calls the run made. */
  toolCalls: Record<string, number>;
  error: SessionErrorLog | null;
}

export type NewSession = Pick<SessionEntity, 'id' | 'ownerId' | 'agentId'> & Partial<Pick<SessionEntity, 'conversationId' | 'status' | 'variables'>>;

/** Error logs a session keeps: the newest. */
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

  /**
   * Plain SQL: the counters and merges happen on the row itself (arithmetic, jsonb aggregates), so
   * two runs of one session ending at once both count.
   */
  async applyRunEnded(id: string, change: SessionChange): Promise<void> {
    await this.database.query(
      `UPDATE "execution"."sessions" s
       SET "status" = $2,
           "run_count" = s."run_count" + CASE WHEN $3 THEN 1 ELSE 0 END,
           "messages_count" = s."messages_count" + $4,
           "tools_used" = (
             SELECT COALESCE(jsonb_object_agg("name", "calls"), '{}'::jsonb)
             FROM (SELECT "name", SUM("calls")::int AS "calls"
                   FROM (SELECT "key" AS "name", ("value")::int AS "calls" FROM jsonb_each_text(s."tools_used")
                         UNION ALL
                         SELECT "key", ("value")::int FROM jsonb_each_text($5::jsonb)) t
                   GROUP BY "name") m),
           "error_logs" = CASE WHEN $6::jsonb IS NULL THEN s."error_logs" ELSE (
             SELECT COALESCE(jsonb_agg("e" ORDER BY "n"), '[]'::jsonb)
             FROM (SELECT "e", "n" FROM jsonb_array_elements(s."error_logs" || jsonb_build_array($6::jsonb)) WITH ORDINALITY AS x("e", "n")
                   ORDER BY "n" DESC LIMIT $7) kept) END,
           "last_active_at" = now(),
           "completed_at" = CASE WHEN $3 THEN now() ELSE NULL END,
           "updated_at" = now()
       WHERE s."id" = $1`,
      [id, change.status, change.final, change.messagesAdded, JSON.stringify(change.toolCalls), change.error ? JSON.stringify(change.error) : null, MAX_SESSION_ERROR_LOGS],
    );
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.sessions.delete({ ownerId });
  }
}
