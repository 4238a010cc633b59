import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Controller, Module } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { IsString, IsUUID, MaxLength } from 'class-validator';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode, event, type EventEnvelope, type ServiceName } from '#contracts';
import { type EventContext, EventDispatcher, InProcessBus, Namespace, OnEvent, Outbox, OutboxRelay } from '#messaging';
import { RequestContext } from '#observability';
import { createServiceDataSource, Database, migrateSchema } from '#persistence';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query, testEnv, uniqueNamespace } from '#testing';
import { eventually, schemaMigration, testConfig, TRANSPORTS } from './support.js';

// ---- A service that consumes its own event, as the apps consume each other's ---------------------

class ThingHappened {
  @IsUUID()
  thingId: string;

  @IsString()
  @MaxLength(100)
  name: string;
}

const SERVICE = 'testsvc';
const ThingHappenedEvent = event('events.testsvc.thing.happened', ThingHappened);

const thingsSeenTable = (schema: string) => `
  CREATE TABLE "${schema}"."things_seen" (
    "event_id" uuid NOT NULL,
    "thing_id" uuid NOT NULL,
    "name" text NOT NULL,
    "request_id" text,
    "created_at" timestamptz NOT NULL DEFAULT now()
  )`; // deliberately no unique key: a second application of an event would show as a second row

/** How often the handler was entered for each thing name (a failed attempt counts too). */
const attempts = new Map<string, number>();

async function recordThing(data: ThingHappened, context: EventContext, database: Database): Promise<void> {
  const attempt = (attempts.get(data.name) ?? 0) + 1;
  attempts.set(data.name, attempt);
  await database.query(`INSERT INTO "${SERVICE}"."things_seen" ("event_id", "thing_id", "name", "request_id") VALUES ($1, $2, $3, $4)`, [
    context.eventId,
    data.thingId,
    data.name,
    RequestContext.requestId() ?? null,
  ]);
  // A transient failure after the write: the write must be rolled back with the inbox claim.
  if (data.name.startsWith('flaky') && attempt === 1) throw new Error('transient failure');
}

@Controller()
class ThingsListener {
  constructor(private readonly database: Database) {}

  @OnEvent(ThingHappenedEvent)
  async onThingHappened(data: ThingHappened, context: EventContext & { event: EventEnvelope<ThingHappened> }): Promise<void> {
    await recordThing(data, context, this.database);
  }
}

/** The same handler written exactly as the apps write theirs (and as @OnEvent documents). */
const ThingNoted = event('events.testsvc.thing.noted', ThingHappened);

@Controller()
class DocumentedListener {
  constructor(private readonly database: Database) {}

  @OnEvent(ThingNoted)
  async onThingNoted(data: ThingHappened, context: EventContext & { event: EventEnvelope<ThingHappened> }): Promise<void> {
    await recordThing(data, context, this.database);
  }
}

@Module({ controllers: [ThingsListener, DocumentedListener] })
class ThingsModule {}

const Migration = schemaMigration(SERVICE, 1763999100000, [thingsSeenTable(SERVICE)]);

describe.each(TRANSPORTS)('outbox, relay and inbox over the %s transport', (kind) => {
  const busNamespace = uniqueNamespace(`evt${kind}`);
  const ns = new Namespace(busNamespace);
  let outbox: Outbox;
  let databaseUrl: string;
  let runtime: Runtime;
  let service: RunningService;
  // NATS only: an observer connection of the test's own, to look into JetStream and publish raw copies.
  let probe: NatsConnection | undefined;
  let jsm: JetStreamManager | undefined;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(`evt${kind}`);
    runtime = await Runtime.create(testConfig(kind, { databaseUrl, busNamespace }), 'test');
    service = await startBusService({ name: SERVICE as ServiceName, module: ThingsModule, entities: [], migrations: [Migration] }, runtime);
    outbox = new Outbox(SERVICE, service.database);
    if (kind === 'nats') {
      probe = await connect({ servers: testEnv().natsUrl, name: 'messaging-events-spec-probe' });
      jsm = await jetstreamManager(probe);
    }
  });

  afterAll(async () => {
    await service?.close();
    await runtime?.close();
    await probe?.close();
  });

  /** Writes the event the way a service does: in its own transaction, under the current request id. */
  function emit(data: ThingHappened, requestId = `req-${randomUUID()}`, contract = ThingHappenedEvent): Promise<string> {
    return RequestContext.run(requestId, () => service.database.transaction(() => outbox.add(contract, data)));
  }

  function thing(name: string): ThingHappened {
    return { thingId: randomUUID(), name: `${name}-${kind}-${randomUUID().slice(0, 8)}` };
  }

  /** NATS: every message of the subject has been delivered to the service's consumer and acknowledged. */
  async function consumerSettled(subject = ThingHappenedEvent.subject): Promise<boolean> {
    if (!jsm) return true;
    const durable = ns.durableName(SERVICE, subject);
    const settled = (s: { pending: number; unacked: number } | undefined) => s !== undefined && s.pending === 0 && s.unacked === 0;
    const state = await eventually(async () => {
      const consumer = await jsm!.consumers.info(ns.streamName, durable).catch(() => undefined);
      return consumer && { pending: consumer.num_pending, unacked: consumer.num_ack_pending };
    }, settled);
    return settled(state);
  }

  /** One relay pass, then (NATS) until the consumer has worked through the stream. Returns what the pass published. */
  async function relayPass(): Promise<number> {
    const published = await service.relay.pass();
    expect(await consumerSettled()).toBe(true);
    return published;
  }

  /** The same event once more, past every publisher-side dedup (as if it came after JetStream's duplicate window). */
  async function deliverAgain(envelope: EventEnvelope): Promise<void> {
    if (probe) {
      await jetstream(probe).publish(ns.subject(envelope.subject), JSON.stringify(envelope), { msgID: randomUUID() });
      expect(await consumerSettled()).toBe(true);
    } else {
      await InProcessBus.shared().publish(envelope);
    }
  }

  async function streamMessages(): Promise<number> {
    return jsm ? (await jsm.streams.info(ns.streamName)).state.messages : 0;
  }

  const seen = (name: string) => query<{ event_id: string; request_id: string | null }>(databaseUrl, `SELECT * FROM "${SERVICE}"."things_seen" WHERE "name" = $1`, [name]);
  const outboxRow = async (id: string) =>
    (
      await query<{ published_at: Date | null; attempts: number; last_error: string | null; envelope: EventEnvelope }>(
        databaseUrl,
        `SELECT "published_at", "attempts", "last_error", "envelope" FROM "${SERVICE}"."outbox" WHERE "id" = $1`,
        [id],
      )
    )[0];
  const inboxRows = (id: string) => query<{ subject: string; outcome: string }>(databaseUrl, `SELECT "subject", "outcome" FROM "${SERVICE}"."inbox" WHERE "event_id" = $1`, [id]);

  it('handles a committed event exactly once, marks it published and records it in the inbox', async () => {
    const data = thing('created');
    const id = await emit(data, 'req-event-1');

    expect(await relayPass()).toBe(1);

    const rows = await eventually(() => seen(data.name), (r) => r.length > 0);
    expect(rows).toEqual([expect.objectContaining({ event_id: id, request_id: 'req-event-1' })]);
    const row = await outboxRow(id);
    expect(row.published_at).toBeInstanceOf(Date);
    expect(row.attempts).toBe(0);
    expect(await inboxRows(id)).toEqual([{ subject: ThingHappenedEvent.subject, outcome: 'handled' }]);
    expect(attempts.get(data.name)).toBe(1);
  });

  // Nest passes only the payload to a method without parameter decorators; @OnEvent must add them.
  it('runs an @OnEvent handler written without parameter decorators in the inbox transaction', async () => {
    const data = thing('documented');
    const id = await emit(data, 'req-documented-1', ThingNoted);

    expect(await service.relay.pass()).toBe(1);
    expect(await consumerSettled(ThingNoted.subject)).toBe(true);

    expect(await eventually(() => seen(data.name), (r) => r.length > 0)).toEqual([expect.objectContaining({ event_id: id, request_id: 'req-documented-1' })]);
    expect(await inboxRows(id)).toEqual([{ subject: ThingNoted.subject, outcome: 'handled' }]);
  });

  it('ignores the same event when it is delivered again (inbox dedup)', async () => {
    const data = thing('twice');
    const id = await emit(data);
    await relayPass();
    expect(await eventually(() => seen(data.name), (r) => r.length > 0)).toHaveLength(1);
    const { envelope } = await outboxRow(id);

    await deliverAgain(envelope);
    await deliverAgain(envelope);

    expect(await seen(data.name)).toHaveLength(1);
    expect(await inboxRows(id)).toHaveLength(1);
    expect(attempts.get(data.name)).toBe(1);
  });

  it('applies an event only once when the relay publishes its row again after a crash', async () => {
    const data = thing('recrash');
    const id = await emit(data);
    await relayPass();
    expect(await eventually(() => seen(data.name), (r) => r.length > 0)).toHaveLength(1);
    const messagesBefore = await streamMessages();
    // The relay published but died before marking the row: the row is still unpublished.
    await query(databaseUrl, `UPDATE "${SERVICE}"."outbox" SET "published_at" = NULL WHERE "id" = $1`, [id]);

    expect(await relayPass()).toBe(1);

    expect((await outboxRow(id)).published_at).toBeInstanceOf(Date);
    expect(await seen(data.name)).toHaveLength(1);
    // NATS: JetStream itself drops the copy (Nats-Msg-Id = event id); in-process: the inbox does.
    expect(await streamMessages()).toBe(messagesBefore);
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const data = thing('rolledback');
    let id: string | undefined;
    const messagesBefore = await streamMessages();

    await expect(
      service.database.transaction(async () => {
        id = await outbox.add(ThingHappenedEvent, data);
        throw new Error('the change failed after the event was written');
      }),
    ).rejects.toThrow('the change failed');

    expect(id).toBeDefined();
    expect(await outboxRow(id!)).toBeUndefined();
    expect(await relayPass()).toBe(0);
    expect(await seen(data.name)).toHaveLength(0);
    expect(await inboxRows(id!)).toHaveLength(0);
    expect(await streamMessages()).toBe(messagesBefore);
  });

  it('publishes once an event written in the same statement as its change, outside a transaction, and wakes the relay when it ran', async () => {
    let wakes = 0;
    const statementOutbox = new Outbox(SERVICE, service.database, () => wakes++);
    const data = thing('one-statement');
    const row = RequestContext.run('req-one-statement', () => statementOutbox.row(ThingHappenedEvent, data));
    // As a repository writes it: the event's INSERT is part of the one statement (a CTE) that makes the change.
    await service.database.query(`WITH "e" AS (INSERT INTO ${row.table} ("id", "subject", "envelope") VALUES ($1, $2, $3) RETURNING "id") SELECT "id" FROM "e"`, [
      row.id,
      row.subject,
      row.envelope,
    ]);
    expect(wakes).toBe(0);
    statementOutbox.written();
    expect(wakes).toBe(1);

    expect(await relayPass()).toBe(1);
    expect(await eventually(() => seen(data.name), (r) => r.length > 0)).toEqual([expect.objectContaining({ event_id: row.id, request_id: 'req-one-statement' })]);
    expect(await inboxRows(row.id)).toEqual([{ subject: ThingHappenedEvent.subject, outcome: 'handled' }]);
  });

  it('leaves the wake-up to the commit when a statement-written event is inside a transaction, and writes nothing if it rolls back', async () => {
    let wakes = 0;
    const statementOutbox = new Outbox(SERVICE, service.database, () => wakes++);
    const row = statementOutbox.row(ThingHappenedEvent, thing('one-statement-rolledback'));
    await expect(
      service.database.transaction(async () => {
        await service.database.query(`INSERT INTO ${row.table} ("id", "subject", "envelope") VALUES ($1, $2, $3)`, [row.id, row.subject, row.envelope]);
        statementOutbox.written();
        throw new Error('the change failed after the event was written');
      }),
    ).rejects.toThrow('the change failed');
    expect(wakes).toBe(0);
    expect(await outboxRow(row.id)).toBeUndefined();
  });

  it('records an event whose payload fails validation as rejected, and does not retry it', async () => {
    const name = `invalid-${kind}-${randomUUID().slice(0, 8)}`;
    const id = await emit({ thingId: 'not-a-uuid', name });

    expect(await relayPass()).toBe(1);

    expect(await eventually(() => inboxRows(id), (r) => r.length > 0)).toEqual([{ subject: ThingHappenedEvent.subject, outcome: 'rejected' }]);
    expect(attempts.has(name)).toBe(false);
    expect(await seen(name)).toHaveLength(0);
    const row = await outboxRow(id);
    expect(row.published_at).toBeInstanceOf(Date);
    expect(row.attempts).toBe(0);
    // Nothing is left to retry: the relay has no work and (NATS) the consumer holds no unacknowledged message.
    expect(await relayPass()).toBe(0);
    expect(await inboxRows(id)).toHaveLength(1);
  });

  it('retries a handler that failed once, and applies its effects exactly once', async () => {
    const data = thing('flaky');
    const id = await emit(data);

    if (kind === 'in-process') {
      // The in-process publisher reports the failure to the relay, which keeps the row for its next pass.
      expect(await service.relay.pass()).toBe(0);
      const failed = await outboxRow(id);
      expect(failed.published_at).toBeNull();
      expect(failed.attempts).toBe(1);
      expect(failed.last_error).toBe('transient failure');
      expect(await seen(data.name)).toHaveLength(0);
      expect(await inboxRows(id)).toHaveLength(0);
      expect(await service.relay.pass()).toBe(1);
    } else {
      // JetStream accepted it; the consumer naks the failed attempt and gets it again after a delay.
      expect(await service.relay.pass()).toBe(1);
      await eventually(() => inboxRows(id), (r) => r.length > 0);
      expect(await consumerSettled()).toBe(true);
    }

    expect(await seen(data.name)).toHaveLength(1);
    expect(attempts.get(data.name)).toBe(2);
    expect(await inboxRows(id)).toEqual([{ subject: ThingHappenedEvent.subject, outcome: 'handled' }]);
    expect((await outboxRow(id)).published_at).toBeInstanceOf(Date);
  });

  if (kind === 'in-process') {
    it('holds back later events of the schema until a failing earlier one succeeds', async () => {
      const first = thing('flaky-first');
      const second = thing('after-flaky');
      const firstId = await emit(first);
      const secondId = await emit(second);

      expect(await service.relay.pass()).toBe(0);
      expect(await seen(second.name)).toHaveLength(0);
      expect((await outboxRow(secondId)).published_at).toBeNull();

      expect(await service.relay.pass()).toBe(2);
      const order = await query<{ event_id: string }>(databaseUrl, `SELECT "event_id" FROM "${SERVICE}"."things_seen" WHERE "name" IN ($1, $2) ORDER BY "created_at"`, [
        first.name,
        second.name,
      ]);
      expect(order.map((r) => r.event_id)).toEqual([firstId, secondId]);
    });
  }

  if (kind === 'in-process') {
    it('once started, publishes what its transactions commit in commit order, and an event that failed before the later ones', async () => {
      service.relay.start();
      try {
        // The first pass scans the table; from then on committed rows go out as handed over.
        await eventually(() => service.relay.lag(), (l) => l.pending === 0);
        const names = [thing('handed-1'), thing('handed-2'), thing('handed-3')];
        const ids: string[] = [];
        for (const data of names) ids.push(await emit(data));
        const flaky = thing('flaky-handed');
        const after = thing('after-flaky-handed');
        ids.push(await emit(flaky), await emit(after));
        const order = await eventually(
          () => query<{ event_id: string }>(databaseUrl, `SELECT "event_id" FROM "${SERVICE}"."things_seen" WHERE "event_id" = ANY($1::uuid[]) ORDER BY "created_at"`, [ids]),
          (rows) => rows.length === ids.length,
        );
        expect(order.map((r) => r.event_id)).toEqual(ids);
        for (const id of ids) expect((await eventually(() => outboxRow(id), (r) => r.published_at !== null)).published_at).toBeInstanceOf(Date);
      } finally {
        await service.relay.stop();
      }
    });
  }

  it('nudges the relay when a transaction that wrote an event commits, and not otherwise', async () => {
    const nudge = jest.spyOn(service.relay, 'nudge');
    try {
      await emit(thing('nudged'));
      expect(nudge).toHaveBeenCalledTimes(1);

      await service.database.transaction((manager) => manager.query('SELECT 1'));
      await service.database
        .transaction(async () => {
          await outbox.add(ThingHappenedEvent, thing('nudge-rolledback'));
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect(nudge).toHaveBeenCalledTimes(1);
    } finally {
      nudge.mockRestore();
    }
    expect(await relayPass()).toBe(1);
  });

  it('publishes committed events by itself once started, and stops cleanly', async () => {
    const data = thing('started');
    service.relay.start();
    try {
      const id = await emit(data);

      expect(await eventually(() => seen(data.name), (r) => r.length > 0)).toHaveLength(1);
      expect((await eventually(() => outboxRow(id), (r) => r.published_at !== null)).published_at).toBeInstanceOf(Date);
    } finally {
      await service.relay.stop();
    }
    expect(await consumerSettled()).toBe(true);
  });

  if (kind === 'nats') {
    // An undecodable message must reach the inbox as rejected, not be nak'ed for ever.
    it('acknowledges (drops) a message in the events stream that is not JSON instead of redelivering it for ever', async () => {
      await jetstream(probe!).publish(ns.subject(ThingHappenedEvent.subject), 'this is not json', { msgID: randomUUID() });

      expect(await consumerSettled()).toBe(true);
      // and the consumer still handles the events after it
      const data = thing('after-garbage');
      await emit(data);
      expect(await relayPass()).toBe(1);
      expect(await eventually(() => seen(data.name), (r) => r.length > 0)).toHaveLength(1);
    });
  }

  it('refuses an outbox write outside a transaction', async () => {
    await expect(outbox.add(ThingHappenedEvent, thing('no-tx'))).rejects.toThrow(/must run inside a transaction/);
  });

  it('purges published rows older than the retention and keeps newer ones', async () => {
    const oldId = await emit(thing('old'));
    const newId = await emit(thing('new'));
    await relayPass();
    await query(databaseUrl, `UPDATE "${SERVICE}"."outbox" SET "published_at" = now() - interval '2 hours' WHERE "id" = $1`, [oldId]);

    const relay = new OutboxRelay(service.dataSource, SERVICE, runtime.createPublisher(), { retentionMs: 3_600_000 });
    await relay.pass();

    expect(await outboxRow(oldId)).toBeUndefined();
    expect((await outboxRow(newId)).published_at).toBeInstanceOf(Date);
  });
});

describe('EventDispatcher (the inbox)', () => {
  const SCHEMA = 'inbox_spec';
  let dataSource: DataSource;
  let database: Database;
  let dispatcher: EventDispatcher;

  beforeAll(async () => {
    const url = await createTestDatabase('inbox');
    dataSource = createServiceDataSource({ url, schema: SCHEMA, entities: [], migrations: [schemaMigration(SCHEMA, 1763999200000, [thingsSeenTable(SCHEMA)])] });
    await dataSource.initialize();
    await migrateSchema(dataSource);
    database = new Database(dataSource);
    dispatcher = new EventDispatcher(database, SCHEMA);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });

  function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
    return { id: randomUUID(), subject: 'events.testsvc.thing.happened', occurredAt: new Date().toISOString(), data: { thingId: randomUUID(), name: 'x' }, ...overrides };
  }

  const writeSeen = (ev: EventEnvelope, ctx: EventContext) =>
    database.query(`INSERT INTO "${SCHEMA}"."things_seen" ("event_id", "thing_id", "name", "request_id") VALUES ($1, $2, 'x', $3)`, [
      ctx.eventId,
      (ev.data as ThingHappened).thingId,
      RequestContext.requestId() ?? null,
    ]);
  const seenCount = async (id: string) => Number((await dataSource.query(`SELECT count(*) AS n FROM "${SCHEMA}"."things_seen" WHERE "event_id" = $1`, [id]))[0].n);
  const inbox = (id: string) => dataSource.query(`SELECT "outcome" FROM "${SCHEMA}"."inbox" WHERE "event_id" = $1`, [id]) as Promise<Array<{ outcome: string }>>;

  it('handles an event once and reports a second delivery as a duplicate without running the handler', async () => {
    const ev = envelope({ requestId: 'req-inbox-1' });
    const handler = jest.fn(writeSeen);

    expect(await dispatcher.dispatch(ev, handler)).toBe('handled');
    expect(await dispatcher.dispatch(ev, handler)).toBe('duplicate');

    expect(handler).toHaveBeenCalledTimes(1);
    expect(await seenCount(ev.id)).toBe(1);
    expect(await inbox(ev.id)).toEqual([{ outcome: 'handled' }]);
    const [{ request_id }] = await dataSource.query(`SELECT "request_id" FROM "${SCHEMA}"."things_seen" WHERE "event_id" = $1`, [ev.id]);
    expect(request_id).toBe('req-inbox-1');
  });

  it('runs the handler under the event id when the event carries no request id', async () => {
    const ev = envelope();
    let during: string | undefined;

    await dispatcher.dispatch(ev, async () => {
      during = RequestContext.requestId();
    });

    expect(during).toBe(ev.id);
  });

  it('rejects an event without a valid id without running the handler or touching the inbox', async () => {
    const handler = jest.fn(writeSeen);
    const inboxSize = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM "${SCHEMA}"."inbox"`))[0].n);
    const before = await inboxSize();

    expect(await dispatcher.dispatch({ subject: 'events.testsvc.thing.happened', data: {} }, handler)).toBe('rejected');
    expect(await dispatcher.dispatch({ id: 'not-a-uuid', subject: 'events.testsvc.thing.happened', data: {} }, handler)).toBe('rejected');
    expect(await dispatcher.dispatch(null, handler)).toBe('rejected');

    expect(handler).not.toHaveBeenCalled();
    expect(await inboxSize()).toBe(before);
  });

  it('rolls back the handler’s writes and rethrows when the handler fails, so a redelivery handles it', async () => {
    const ev = envelope();
    const failure = new Error('database hiccup');

    await expect(
      dispatcher.dispatch(ev, async (e, ctx) => {
        await writeSeen(e, ctx);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await seenCount(ev.id)).toBe(0);
    expect(await inbox(ev.id)).toEqual([]);

    expect(await dispatcher.dispatch(ev, writeSeen)).toBe('handled');
    expect(await seenCount(ev.id)).toBe(1);
  });

  it('records an event the handler refuses as invalid as rejected, rolls back its writes and never runs it again', async () => {
    const ev = envelope();
    const handler = jest.fn(async (e: EventEnvelope, ctx: EventContext) => {
      await writeSeen(e, ctx);
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'event is invalid', { errors: [{ field: 'thingId', problems: ['thingId must be a UUID'] }] });
    });

    expect(await dispatcher.dispatch(ev, handler)).toBe('rejected');
    expect(await dispatcher.dispatch(ev, handler)).toBe('duplicate');

    expect(handler).toHaveBeenCalledTimes(1);
    expect(await seenCount(ev.id)).toBe(0);
    expect(await inbox(ev.id)).toEqual([{ outcome: 'rejected' }]);
  });
});
