import { type Actor, type EventContract, type EventEnvelope, mayPublishEvent } from '#contracts';
import { type Database, newId } from '#persistence';
import { RequestContext } from '#observability';

/** Marks a transaction as having written events, so the relay is nudged when it commits. */
export const OUTBOX_DIRTY = 'outboxDirty';

/**
 * Writes a domain event in the caller's transaction. Nothing is published here: the relay
 * publishes after commit, so an event exists if and only if its change was committed.
 */
export class Outbox {
  constructor(
    private readonly schema: string,
    private readonly database: Database,
  ) {}

  /** Writes the event in the transaction this call runs in (Database.transaction); outside one it throws. */
  async add<T>(contract: EventContract<T>, data: T, actor?: Actor): Promise<string> {
    // Its NATS user may publish only events.<service>.…: fail in the transaction, not in the relay.
    if (!mayPublishEvent(this.schema, contract.subject)) throw new Error(`the ${this.schema} service may publish only its own events, not ${contract.subject}`);
    const manager = this.database.manager;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`outbox writes for ${contract.subject} must run inside a transaction`);
    }
    const id = newId();
    const envelope: EventEnvelope<T> = {
      id,
      subject: contract.subject,
      occurredAt: new Date().toISOString(),
      requestId: RequestContext.requestId(),
      actor,
      data,
    };
    await manager.query(`INSERT INTO "${this.schema}"."outbox" ("id", "subject", "envelope") VALUES ($1, $2, $3)`, [
      id,
      contract.subject,
      JSON.stringify(envelope),
    ]);
    manager.queryRunner.data = { ...manager.queryRunner.data, [OUTBOX_DIRTY]: true };
    return id;
  }
}
