import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import type { Fence } from './fence.js';
import { RunEventEntity } from './run-event.entity.js';
import { type StoredRow, type StoredRunEvent, storedEvent } from './stored-run-event.js';

@Injectable()
export class RunEventsRepository {
  constructor(private readonly database: Database) {}

  /** Plain SQL: the next number is taken in the statement. Only for a writer holding the run's row lock. */
  async appendLocked(runId: string, type: string, data: unknown): Promise<number> {
    const [row] = await this.database.query<{ seq: number }>(
      `INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
       SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, $2, $3
       RETURNING "seq"`,
      [runId, type, JSON.stringify(data ?? {})],
    );
    return row.seq;
  }

  /** Plain SQL, a fenced write: the attempt's lease is checked (and held shared) in the same statement; null when it no longer holds. */
  async appendFenced(fence: Fence, type: string, data: unknown): Promise<StoredRunEvent | null> {
    const [row] = await this.database.query<StoredRow>(
      `WITH "fence" AS (
         SELECT "id", "owner_id" FROM "execution"."runs" WHERE "id" = $1 AND "attempt" = $2 AND "lease_owner" = $3 AND "status" = 'running' FOR SHARE),
       "event" AS (
         INSERT INTO "execution"."run_events" ("run_id", "seq", "type", "data")
         SELECT $1, COALESCE((SELECT MAX("seq") FROM "execution"."run_events" WHERE "run_id" = $1), 0) + 1, $4, $5 FROM "fence"
         RETURNING "seq", "type", "data", "created_at")
       SELECT "event".*, "fence"."owner_id" FROM "event", "fence"`,
      [fence.runId, fence.attempt, fence.leaseOwner, type, JSON.stringify(data ?? {})],
      { prepare: true },
    );
    return row ? storedEvent(fence.runId, row) : null;
  }

  /**
   * Plain SQL (after a commit whose events were not published as written): the run's events after
   * `afterSeq` with its owner, oldest first, the last `limit` of them when there are more.
   */
  async latest(runId: string, afterSeq: number, limit: number): Promise<StoredRunEvent[]> {
    const rows = await this.database.query<StoredRow>(
      `SELECT * FROM (
         SELECT e."seq", e."type", e."data", e."created_at", r."owner_id"
         FROM "execution"."run_events" e JOIN "execution"."runs" r ON r."id" = e."run_id"
         WHERE e."run_id" = $1 AND e."seq" > $2::bigint ORDER BY e."seq" DESC LIMIT $3) AS "last"
       ORDER BY "seq"`,
      [runId, afterSeq, limit],
    );
    return rows.map((row) => storedEvent(runId, row));
  }

  /** Plain SQL (every reader of a run's stream, polled while it waits): events after `afterSeq`, oldest first. */
  read(runId: string, afterSeq: number, limit: number): Promise<RunEventEntity[]> {
    return this.database.rows(
      RunEventEntity,
      `SELECT * FROM "execution"."run_events" WHERE "run_id" = $1 AND "seq" > $2::bigint ORDER BY "seq" LIMIT $3`,
      [runId, afterSeq, limit],
    );
  }

  /** Plain SQL: a batch of token events of runs ended before `before`, deleted by a join on the run's end. Returns how many went. */
  async deleteTokenEvents(endedBefore: Date, batch: number): Promise<number> {
    const rows = await this.database.query<{ run_id: string }>(
      `DELETE FROM "execution"."run_events" WHERE ("run_id", "seq") IN (
         SELECT e."run_id", e."seq" FROM "execution"."run_events" e JOIN "execution"."runs" r ON r."id" = e."run_id"
         WHERE e."type" = 'token' AND r."completed_at" < $1 LIMIT $2)
       RETURNING "run_id"`,
      [endedBefore, batch],
    );
    return rows.length;
  }

  /** Plain SQL: a batch of every event of runs that ended (finally) before `before`. Returns how many went. */
  async deleteEventsOfRunsEndedBefore(endedBefore: Date, batch: number): Promise<number> {
    const rows = await this.database.query<{ run_id: string }>(
      `DELETE FROM "execution"."run_events" WHERE ("run_id", "seq") IN (
         SELECT e."run_id", e."seq" FROM "execution"."run_events" e JOIN "execution"."runs" r ON r."id" = e."run_id"
         WHERE r."status" IN ('completed', 'failed', 'cancelled', 'expired') AND r."completed_at" < $1 LIMIT $2)
       RETURNING "run_id"`,
      [endedBefore, batch],
    );
    return rows.length;
  }
}
