import { Inject, Injectable } from '@nestjs/common';
import type { SessionStatus } from '#contracts';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { sql } from '../runs/runs.repository.js';

export interface SessionErrorLog {
  runId: string;
  code: string;
  message: string;
  at: string;
}

export interface Session {
  id: string;
  ownerId: string;
  agentId: string;
  conversationId: string | null;
  status: SessionStatus;
  context: Record<string, unknown>;
  variables: Record<string, string>;
  messagesCount: number;
  runCount: number;
  toolsUsed: Record<string, number>;
  errorLogs: SessionErrorLog[];
  startedAt: Date;
  lastActiveAt: Date;
  completedAt: Date | null;
}

/** What one run's ending changes on its session; computed by the hook, written in one statement. */
export interface SessionRunEnded {
  status: SessionStatus;
  final: boolean;
  messagesAdded: number;
  /** Tool name -> calls the run made. */
  toolCalls: Record<string, number>;
  error: SessionErrorLog | null;
}

/** Error logs a session keeps: the newest. */
export const MAX_SESSION_ERROR_LOGS = 50;

/** Plain SQL like the runs repository: the hook's writes sit inside every run's ending. */
@Injectable()
export class SessionsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * The one session of an agent's conversation, created on first use. Two first messages racing
   * both try the insert; the unique index lets one win and the other reads the winner's row.
   */
  async findOrCreateForConversation(ownerId: string, agentId: string, conversationId: string): Promise<Session> {
    const inserted: SessionRow[] = await sql(
      this.dataSource,
      `INSERT INTO "execution"."sessions" ("id", "owner_id", "agent_id", "conversation_id")
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ("agent_id", "conversation_id") WHERE "conversation_id" IS NOT NULL DO NOTHING
       RETURNING *`,
      [newId(), ownerId, agentId, conversationId],
    );
    if (inserted.length > 0) return sessionFromRow(inserted[0]);
    const rows: SessionRow[] = await sql(this.dataSource, `SELECT * FROM "execution"."sessions" WHERE "agent_id" = $1 AND "conversation_id" = $2`, [agentId, conversationId]);
    if (rows.length === 0) throw new Error('session neither inserted nor found');
    return sessionFromRow(rows[0]);
  }

  /** A standalone run's own session, written with its run (the id is chosen before the run's insert). */
  async insertStandalone(manager: EntityManager, session: { id: string; ownerId: string; agentId: string; variables: Record<string, string> }): Promise<void> {
    await sql(
      manager,
      `INSERT INTO "execution"."sessions" ("id", "owner_id", "agent_id", "status", "variables") VALUES ($1, $2, $3, 'running', $4)`,
      [session.id, session.ownerId, session.agentId, JSON.stringify(session.variables)],
    );
  }

  /** A run of the session was queued: it is running again, with the request's variables over the earlier ones. */
  async markStarted(manager: EntityManager, id: string, variables: Record<string, string>): Promise<void> {
    await sql(
      manager,
      `UPDATE "execution"."sessions"
       SET "status" = 'running', "variables" = "variables" || $2::jsonb, "last_active_at" = now(), "completed_at" = NULL, "updated_at" = now()
       WHERE "id" = $1`,
      [id, JSON.stringify(variables)],
    );
  }

  async find(id: string, ownerId: string): Promise<Session | null> {
    const rows: SessionRow[] = await sql(this.dataSource, `SELECT * FROM "execution"."sessions" WHERE "id" = $1 AND "owner_id" = $2`, [id, ownerId]);
    return rows.length === 0 ? null : sessionFromRow(rows[0]);
  }

  /** Completed tool steps of a run, counted per tool name. */
  async toolCallsOf(manager: EntityManager, runId: string): Promise<Record<string, number>> {
    const rows: Array<{ step_name: string; calls: string }> = await sql(
      manager,
      `SELECT "step_name", count(*) AS "calls" FROM "execution"."run_steps"
       WHERE "run_id" = $1 AND "status" = 'completed' AND "step_type" = 'tool' GROUP BY "step_name"`,
      [runId],
    );
    return Object.fromEntries(rows.map((r) => [r.step_name, Number(r.calls)]));
  }

  /**
   * Applies one run's ending. The counters and merges happen in SQL on the locked row, so two runs
   * of one session ending at once both count.
   */
  async applyRunEnded(manager: EntityManager, id: string, change: SessionRunEnded): Promise<void> {
    await sql(
      manager,
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

  /** For account deletion, in the caller's transaction. */
  async deleteByOwner(manager: EntityManager, ownerId: string): Promise<void> {
    await sql(manager, `DELETE FROM "execution"."sessions" WHERE "owner_id" = $1`, [ownerId]);
  }
}

interface SessionRow {
  id: string;
  owner_id: string;
  agent_id: string;
  conversation_id: string | null;
  status: SessionStatus;
  context: Record<string, unknown>;
  variables: Record<string, string>;
  messages_count: number;
  run_count: number;
  tools_used: Record<string, number>;
  error_logs: SessionErrorLog[];
  started_at: Date;
  last_active_at: Date;
  completed_at: Date | null;
}

function sessionFromRow(r: SessionRow): Session {
  return {
    id: r.id,
    ownerId: r.owner_id,
    agentId: r.agent_id,
    conversationId: r.conversation_id,
    status: r.status,
    context: r.context,
    variables: r.variables,
    messagesCount: r.messages_count,
    runCount: r.run_count,
    toolsUsed: r.tools_used,
    errorLogs: r.error_logs,
    startedAt: r.started_at,
    lastActiveAt: r.last_active_at,
    completedAt: r.completed_at,
  };
}
