import { describeError, rootLogger } from '#observability';
import { PREPARED_MARKER } from '#persistence';
import type { DataSource, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import type { EventEnvelope } from '#contracts';
import type { EventPublisher } from './event-publisher.js';
import { OUTBOX_DIRTY, type WrittenEvent } from './outbox.js';

export interface OutboxRelayOptions {
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows are kept this long for inspection, then deleted. */
  retentionMs?: number;
}

/**
 * Publishes committed outbox rows in id (= time) order. Rows are locked with SKIP LOCKED so
 * replicas share the work, and marked published only after the publisher confirms; a crash in
 * between re-publishes the row, which JetStream drops as a duplicate (Nats-Msg-Id = row id) and
 * inboxes drop if it comes later than JetStream's duplicate window.
 *
 * The rows this process commits are handed to it (committed()) and published from memory, then
 * marked with one statement: no read of the table, no transaction. Only while the table is known
 * to hold nothing older (the last scan found it empty and nothing failed since), so the order
 * holds; and the table is still scanned every poll interval for rows nobody handed over (another
 * replica's that crashed, a failed publish).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private lastPurge = 0;
  /** Rows committed by this process, not yet published. */
  private fresh: WrittenEvent[] = [];
  /** The last scan found no row left and no publish failed since: fresh rows may go out ahead of a scan. */
  private clear = false;
  private lastScanAt = 0;
  private readonly log = rootLogger().child({ component: 'outbox-relay' });
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly publisher: EventPublisher,
    options: OutboxRelayOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.retentionMs = options.retentionMs ?? 7 * 86_400_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Rows this process committed: published in the next pass (now, or right after the current one). */
  committed(rows: readonly WrittenEvent[]): void {
    if (!this.stopped) this.fresh.push(...rows);
    this.nudge();
  }

  /** Runs a pass now (or right after the current one). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pass().then(() => undefined).finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.pollIntervalMs);
      });
    }, delayMs);
  }

  /** Committed events not yet published, and the age of the oldest (0 when none): the relay's lag. */
  async lag(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const [row]: Array<{ pending: number; age: number | null }> = await this.dataSource.query(
      `SELECT count(*)::int AS "pending", EXTRACT(EPOCH FROM now() - min("created_at"))::float8 AS "age" FROM "${this.schema}"."outbox" WHERE "published_at" IS NULL`,
    );
    return { pending: row?.pending ?? 0, oldestAgeSeconds: Math.max(0, row?.age ?? 0) };
  }

  /**
   * One pass: the rows handed over, when nothing older waits; then, unless a scan ran within the
   * poll interval, batches from the table until it is empty or a publish fails.
   */
  async pass(): Promise<number> {
    let published = 0;
    try {
      const fresh = this.fresh.splice(0);
      if (fresh.length > 0 && this.clear) {
        const { count, complete } = await this.publishFresh(fresh);
        published += count;
        // What failed is in the table, in order: the scan below takes it from there.
        if (!complete) this.clear = false;
        if (complete && Date.now() - this.lastScanAt < this.pollIntervalMs) return published;
      }
      this.clear = false;
      this.lastScanAt = Date.now();
      for (;;) {
        const { count, complete } = await this.publishBatch();
        published += count;
        if (!complete) break;
        if (count < this.batchSize) {
          this.clear = true;
          break;
        }
      }
      await this.purge();
    } catch (err) {
      this.clear = false;
      this.log.warn(describeError(err), 'outbox relay pass failed; will retry');
    }
    return published;
  }

  /** Publishes rows known committed, in their order, then marks those that went out (one statement); stops at the first failure. */
  private async publishFresh(rows: readonly WrittenEvent[]): Promise<{ count: number; complete: boolean }> {
    const done: string[] = [];
    let complete = true;
    for (const row of rows) {
      const envelope = JSON.parse(row.envelope) as EventEnvelope;
      try {
        await this.publisher.publish(envelope);
        done.push(row.id);
      } catch (err) {
        complete = false;
        this.log.warn({ ...describeError(err), eventId: row.id, subject: envelope.subject }, 'event not published yet; will retry');
        break;
      }
    }
    if (done.length > 0) {
      // Once per event written (every run's end): prepared once per connection, not parsed each time.
      await this.dataSource.query(`${PREPARED_MARKER}UPDATE "${this.schema}"."outbox" SET "published_at" = now(), "updated_at" = now() WHERE "id" = ANY($1::uuid[]) AND "published_at" IS NULL`, [done]);
    }
    return { count: done.length, complete };
  }

  private async publishBatch(): Promise<{ count: number; complete: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; envelope: EventEnvelope }> = await manager.query(
        `SELECT "id", "envelope" FROM "${this.schema}"."outbox" WHERE "published_at" IS NULL ORDER BY "id" LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      const done: string[] = [];
      let complete = true;
      for (const row of rows) {
        try {
          await this.publisher.publish(row.envelope);
          done.push(row.id);
        } catch (err) {
          complete = false;
          const description = describeError(err);
          this.log.warn({ ...description, eventId: row.id, subject: row.envelope.subject }, 'event not published yet; will retry');
          await manager.query(`UPDATE "${this.schema}"."outbox" SET "attempts" = "attempts" + 1, "last_error" = $2, "updated_at" = now() WHERE "id" = $1`, [
            row.id,
            description.message,
          ]);
          // Keep per-schema order: later events wait for this one.
          break;
        }
      }
      if (done.length > 0) {
        await manager.query(`UPDATE "${this.schema}"."outbox" SET "published_at" = now(), "updated_at" = now() WHERE "id" = ANY($1::uuid[])`, [done]);
      }
      return { count: done.length, complete };
    });
  }

  private async purge(): Promise<void> {
    if (Date.now() - this.lastPurge < 3_600_000) return;
    this.lastPurge = Date.now();
    await this.dataSource.query(`DELETE FROM "${this.schema}"."outbox" WHERE "published_at" < now() - ($1 || ' milliseconds')::interval`, [String(this.retentionMs)]);
  }
}

/** A TypeORM subscriber that hands the relay the event rows a transaction wrote, once it commits. */
export class OutboxCommitSubscriber implements EntitySubscriberInterface {
  private relay: OutboxRelay | undefined;

  bind(relay: OutboxRelay): void {
    this.relay = relay;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    const rows = data?.[OUTBOX_DIRTY];
    if (Array.isArray(rows) && rows.length > 0) {
      event.queryRunner.data = { ...data, [OUTBOX_DIRTY]: [] };
      this.relay?.committed(rows as WrittenEvent[]);
    }
  }

  /** A rollback drops what its transaction wrote. */
  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data?.[OUTBOX_DIRTY]) event.queryRunner.data = { ...data, [OUTBOX_DIRTY]: [] };
  }
}
