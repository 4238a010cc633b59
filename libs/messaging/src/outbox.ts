import { type Actor, type EventContract, type EventEnvelope, mayPublishEvent } from '#contracts';
import { type Database, newId } from '#persistence';
import { RequestContext } from '#observability';

/** Marks a transaction as having written events (these rows), so the relay is handed them when it commits. */
export const OUTBOX_DIRTY = 'outboxDirty';

/** A written event as the relay publishes it: its row's id and its envelope (JSON text). */
export type WrittenEvent = Pick<OutboxRow, 'id' | 'envelope'>;

/** One event as its outbox row: what a statement that writes the event itself inserts (see Outbox.row). */
export interface OutboxRow {
  /** The outbox table as SQL (`"schema"."outbox"`), whose columns are "id", "subject" and "envelope". */
  table: string;
  id: string;
  subject: string;
  /** The envelope as JSON text, for the jsonb column. */
  envelope: string;
}

/**
 * Writes a domain event in the caller's transaction. Nothing is published here: the relay
 * publishes after commit, so an event exists if and only if its change was committed.
 */
export class Outbox {
  constructor(
    private readonly schema: string,
    private readonly database: Database,
    /** Hands committed rows to this service's relay (see written()); without it, the relay finds them on its next poll. */
    private readonly wake: (written: readonly WrittenEvent[]) => void = () => undefined,
  ) {}

  /** Writes the event in the transaction this call runs in (Database.transaction); outside one it throws. */
  async add<T>(contract: EventContract<T>, data: T, actor?: Actor): Promise<string> {
    this.refuseForeign(contract);
    const manager = this.database.manager;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`outbox writes for ${contract.subject} must run inside a transaction`);
    }
    const row = this.row(contract, data, actor);
    await manager.query(`INSERT INTO ${row.table} ("id", "subject", "envelope") VALUES ($1, $2, $3)`, [row.id, row.subject, row.envelope]);
    this.written(row);
    return row.id;
  }

  /**
   * The event as a row, for a change written in one statement together with its event (e.g. a
   * CTE that inserts the change and `INSERT INTO row.table ... SELECT ... FROM` it): atomic without
   * a transaction of its own, so one round trip where add() takes four (BEGIN, change, event,
   * COMMIT). Call written(row) once that statement has run.
   */
  row<T>(contract: EventContract<T>, data: T, actor?: Actor): OutboxRow {
    this.refuseForeign(contract);
    const id = newId();
    const envelope: EventEnvelope<T> = {
      id,
      subject: contract.subject,
      occurredAt: new Date().toISOString(),
      requestId: RequestContext.requestId(),
      actor,
      data,
    };
    return { table: `"${this.schema}"."outbox"`, id, subject: contract.subject, envelope: JSON.stringify(envelope) };
  }

  /**
   * row(), for a statement that computes the event's data from the rows it writes (say, the ids of
   * a row it updates): the envelope has no `data`, and the statement sets it
   * (`envelope::jsonb || jsonb_build_object('data', ...)`) to what the contract's type describes;
   * pass written() the envelope the statement stored (RETURNING), not this one.
   */
  rowWithoutData(contract: EventContract<unknown>, actor?: Actor): OutboxRow {
    // JSON.stringify leaves out a key whose value is undefined.
    return this.row(contract, undefined, actor);
  }

  /**
   * Says that these event rows were written by the statement that just ran: in a transaction, the
   * relay is handed them when it commits; outside one the statement has committed, so at once.
   * The relay publishes them without reading the table (and its poll finds any it could not).
   */
  written(...rows: WrittenEvent[]): void {
    const runner = this.database.manager.queryRunner;
    if (runner?.isTransactionActive) {
      const earlier = (runner.data as Record<string, unknown> | undefined)?.[OUTBOX_DIRTY];
      runner.data = { ...runner.data, [OUTBOX_DIRTY]: [...(Array.isArray(earlier) ? (earlier as WrittenEvent[]) : []), ...rows] };
    } else this.wake(rows);
  }

  /** Its NATS user may publish only events.<service>.…: fail before the write, not in the relay. */
  private refuseForeign(contract: EventContract<unknown>): void {
    if (!mayPublishEvent(this.schema, contract.subject)) throw new Error(`the ${this.schema} service may publish only its own events, not ${contract.subject}`);
  }
}
