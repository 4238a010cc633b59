import { AppError, ErrorCode, type EventEnvelope } from '#contracts';
import { describeError, RequestContext, rootLogger } from '#observability';
import { ActingUser, type Database } from '#persistence';

export interface EventContext {
  eventId: string;
  subject: string;
}

export type EventHandlerFn = (event: EventEnvelope, context: EventContext) => Promise<unknown>;

export type DispatchOutcome = 'handled' | 'duplicate' | 'rejected';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The inbox: an event's effects and the record that it was handled commit together, so a
 * redelivered event finds its id and does nothing. An event that can never succeed (it fails
 * validation) is recorded as rejected instead of being redelivered for ever.
 */
export class EventDispatcher {
  private readonly log = rootLogger().child({ component: 'inbox' });

  constructor(
    private readonly database: Database,
    private readonly schema: string,
  ) {}

  async dispatch(raw: unknown, handler: EventHandlerFn): Promise<DispatchOutcome> {
    const event = raw as Partial<EventEnvelope>;
    if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || !UUID.test(event.id) || typeof event.subject !== 'string') {
      this.log.warn({ subject: event?.subject }, 'dropping an event without a valid id and subject');
      return 'rejected';
    }
    const valid = event as EventEnvelope;
    // An event acts for no user until its handler says for whom (ActingUser), whatever context
    // published it (in single-process mode, the publisher's request).
    return RequestContext.run(valid.requestId ?? valid.id, () => ActingUser.run(undefined, async () => {
      try {
        return await this.database.transaction(async () => {
          const claimed = await this.database.query(
            `INSERT INTO "${this.schema}"."inbox" ("event_id", "subject") VALUES ($1, $2) ON CONFLICT ("event_id") DO NOTHING RETURNING "event_id"`,
            [valid.id, valid.subject],
          );
          if (claimed.length === 0) return 'duplicate';
          await handler(valid, { eventId: valid.id, subject: valid.subject });
          return 'handled';
        });
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.VALIDATION_FAILED) {
          await this.database.query(
            `INSERT INTO "${this.schema}"."inbox" ("event_id", "subject", "outcome") VALUES ($1, $2, 'rejected') ON CONFLICT ("event_id") DO NOTHING`,
            [valid.id, valid.subject],
          );
          this.log.warn({ eventId: valid.id, subject: valid.subject, details: err.details }, 'event rejected as invalid');
          return 'rejected';
        }
        this.log.warn({ ...describeError(err), eventId: valid.id, subject: valid.subject }, 'event handler failed; will be redelivered');
        throw err;
      }
    }));
  }
}
