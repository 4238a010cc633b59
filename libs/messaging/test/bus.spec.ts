import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { type Actor, AppError, Empty, ErrorCode, healthContract, rpc, type ServiceName } from '#contracts';
import { connect } from '@nats-io/transport-node';
import { decodeJson, Namespace, Rpc, unwrapReply } from '#messaging';
import { RequestContext } from '#observability';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, testEnv, uniqueNamespace } from '#testing';
import { appErrorOf, schemaMigration, sleepMs, testConfig, TRANSPORTS } from './support.js';

// ---- A tiny service of our own, defined the way apps define theirs -------------------------------

class EchoRequest {
  @IsString()
  @MaxLength(100)
  text: string;

  @IsOptional()
  @IsInt()
  count?: number;
}

class EchoReply {
  text: string;
  count: number | null;
  /** The service hands back a Date; on the wire (either transport) it becomes its ISO string. */
  at: Date;
  requestId: string | undefined;
  actor: Actor;
  instance: string;
}

class FailRequest {
  @IsIn(['conflict', 'crash'])
  kind: 'conflict' | 'crash';
}

class SlowRequest {
  @IsInt()
  @Min(0)
  @Max(5000)
  ms: number;
}

const SERVICE = 'testsvc';
const Echo = rpc('testsvc.things.echo', EchoRequest, EchoReply);
const Fail = rpc<FailRequest, Empty>('testsvc.things.fail', FailRequest, Empty);
const Slow = rpc<SlowRequest, { slept: number }>('testsvc.things.slow', SlowRequest);
const Nobody = rpc<Empty, Empty>('nosvc.things.nobody', Empty, Empty);
const Health = healthContract(SERVICE as ServiceName);

const FIXED_TIME = new Date('2030-01-02T03:04:05.678Z');
const USER: Actor = { kind: 'user', userId: '0190f5d2-7c1a-7b3e-9a4d-2f6c8e1b5a70' };

/** What the handlers saw, so a test can tell whether a handler ran at all. */
const echoCalls: Array<{ text: string; requestId: string | undefined }> = [];
const slowRuns: Array<Promise<void>> = [];
let slowFinished = 0;

@Controller()
class ThingsHandler {
  private readonly instance = randomUUID();

  @Rpc(Echo)
  async echo(req: EchoRequest, actor: Actor): Promise<EchoReply> {
    const requestId = RequestContext.requestId();
    echoCalls.push({ text: req.text, requestId });
    return { text: req.text, count: req.count ?? null, at: FIXED_TIME, requestId, actor, instance: this.instance };
  }

  @Rpc(Fail)
  async fail(req: FailRequest): Promise<Empty> {
    if (req.kind === 'conflict') {
      throw new AppError(ErrorCode.CONFLICT, 'a thing with this name already exists', { field: 'name', existingId: 'thing-42' });
    }
    throw new Error('secret-sql SELECT * FROM x WHERE password = $1');
  }

  @Rpc(Slow)
  async slow(req: SlowRequest): Promise<{ slept: number }> {
    const run = sleepMs(req.ms);
    slowRuns.push(run);
    await run;
    slowFinished += 1;
    return { slept: req.ms };
  }
}

@Module({ controllers: [ThingsHandler] })
class ThingsModule {}

/**
 * The suite's default request timeout. Every request here gets it, so it stays well above what a
 * request that is answered can take on a loaded CI machine (500 ms once timed out an answered one).
 */
const TIMEOUT_MS = 2000;
const Migration = schemaMigration(SERVICE, 1763999000000);

function definition() {
  return { name: SERVICE as ServiceName, module: ThingsModule, entities: [], migrations: [Migration], version: '9.9.9-test' };
}

/** The NATS connection behind a runtime, only to flush subscriptions before counting who answers. */
function natsOf(runtime: Runtime): NatsConnection | undefined {
  return (runtime as unknown as { link?: { nc: NatsConnection } }).link?.nc;
}
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('msgbus');
});

describe.each(TRANSPORTS)('request/reply over the %s transport', (kind) => {
  const busNamespace = uniqueNamespace(`bus${kind}`);
  let runtime: Runtime;
  let service: RunningService;
  const opened: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    runtime = await Runtime.create(testConfig(kind, { databaseUrl, busNamespace, requestTimeoutMs: TIMEOUT_MS }), 'test');
    opened.push(runtime);
    service = await startBusService(definition(), runtime);
    opened.unshift(service);
    expect(runtime.transport).toBe(kind);
  });

  afterAll(async () => {
    await Promise.all(slowRuns);
    for (const thing of opened) await thing.close();
  });

  it('returns the handler reply, with a Date turned into its ISO string', async () => {
    const reply = await runtime.client.request(Echo, { text: 'hello', count: 3 }, { actor: USER });

    expect(reply).toEqual({
      text: 'hello',
      count: 3,
      at: '2030-01-02T03:04:05.678Z',
      requestId: expect.any(String),
      actor: USER,
      instance: expect.any(String),
    });
    expect(typeof reply.at).toBe('string');
  });

  it('passes an AppError thrown by the handler to the caller with its code, message and details', async () => {
    const err = await appErrorOf(runtime.client.request(Fail, { kind: 'conflict' }, { actor: USER }));

    expect(err.code).toBe(ErrorCode.CONFLICT);
    expect(err.message).toBe('a thing with this name already exists');
    expect(err.details).toEqual({ field: 'name', existingId: 'thing-42' });
  });

  it('refuses a request with a missing field as VALIDATION_FAILED naming the field, without running the handler', async () => {
    const before = echoCalls.length;
    const err = await appErrorOf(runtime.client.request(Echo, { count: 1 } as unknown as EchoRequest, { actor: USER }));

    expect(err.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(err.details?.errors).toEqual([expect.objectContaining({ field: 'text' })]);
    expect(echoCalls.length).toBe(before);
  });

  it('refuses a request with an unknown extra field as VALIDATION_FAILED naming the field, without running the handler', async () => {
    const text = `extra-${randomUUID()}`;
    const err = await appErrorOf(runtime.client.request(Echo, { text, isAdmin: true } as unknown as EchoRequest, { actor: USER }));

    expect(err.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(err.details?.errors).toEqual([{ field: 'isAdmin', problems: [expect.stringContaining('isAdmin')] }]);
    expect(echoCalls.some((c) => c.text === text)).toBe(false);
  });

  it('refuses a request whose actor is invalid, before any handler runs', async () => {
    const text = `bad-actor-${randomUUID()}`;
    const err = await appErrorOf(runtime.client.request(Echo, { text }, { actor: { kind: 'root' } as unknown as Actor }));

    expect(err.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(err.details?.errors).toEqual([expect.objectContaining({ field: 'actor.kind' })]);
    expect(echoCalls.some((c) => c.text === text)).toBe(false);
  });

  it('reports an unexpected handler error as INTERNAL with a generic message, no internals and the request id', async () => {
    const err = await appErrorOf(runtime.client.request(Fail, { kind: 'crash' }, { actor: USER, requestId: 'req-crash-1' }));

    expect(err.code).toBe(ErrorCode.INTERNAL);
    expect(err.message).toBe('internal error');
    expect(err.details).toEqual({ requestId: 'req-crash-1' });
    const seen = JSON.stringify({ message: err.message, details: err.details });
    expect(seen).not.toMatch(/secret-sql|SELECT|password/);
    expect(seen).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('fails with UPSTREAM_TIMEOUT (reason timeout) when the handler is slower than the timeout', async () => {
    const finishedBefore = slowFinished;
    const started = Date.now();
    const err = await appErrorOf(runtime.client.request(Slow, { ms: TIMEOUT_MS + 300 }, { actor: USER }));
    const elapsed = Date.now() - started;

    expect(err.code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    expect(err.details).toEqual({ reason: 'timeout' });
    expect(err.message).toBe(`the ${SERVICE} service did not answer within ${TIMEOUT_MS} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(0.8 * TIMEOUT_MS);
    expect(elapsed).toBeLessThan(3 * TIMEOUT_MS);
    // The caller gave up; the handler itself still ran to its end.
    await Promise.all(slowRuns);
    expect(slowFinished).toBe(finishedBefore + 1);
  });

  it('waits longer than the default when the caller passes its own timeoutMs', async () => {
    const reply = await runtime.client.request(Slow, { ms: TIMEOUT_MS + 300 }, { actor: USER, timeoutMs: 3 * TIMEOUT_MS });

    expect(reply).toEqual({ slept: TIMEOUT_MS + 300 });
  });

  it('fails with UPSTREAM_TIMEOUT (reason no_responders) after about the timeout when nothing serves the subject', async () => {
    const started = Date.now();
    const err = await appErrorOf(runtime.client.request(Nobody, {}, { actor: USER }));
    const elapsed = Date.now() - started;

    expect(err.code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    expect(err.details).toEqual({ reason: 'no_responders' });
    expect(err.message).toBe(`the nosvc service did not answer within ${TIMEOUT_MS} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(0.8 * TIMEOUT_MS);
    expect(elapsed).toBeLessThan(3 * TIMEOUT_MS);
  });

  it('runs the handler under the request id the caller passed', async () => {
    const reply = await runtime.client.request(Echo, { text: 'explicit-id' }, { actor: USER, requestId: 'req-explicit-1' });

    expect(reply.requestId).toBe('req-explicit-1');
  });

  it("runs the handler under the caller's current request id when none is passed", async () => {
    const reply = await RequestContext.run('req-ambient-2', () => runtime.client.request(Echo, { text: 'ambient-id' }, { actor: USER }));

    expect(reply.requestId).toBe('req-ambient-2');
  });

  it('gives each request a fresh id when the caller has none', async () => {
    const first = await runtime.client.request(Echo, { text: 'no-id-1' }, { actor: USER });
    const second = await runtime.client.request(Echo, { text: 'no-id-2' }, { actor: USER });

    expect(first.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('answers the health subject with the service name, database state and version', async () => {
    const reply = await runtime.client.request(Health, {}, { actor: { kind: 'service', service: 'gateway' } });

    expect(reply).toEqual({ service: SERVICE, database: 'ok', version: '9.9.9-test' });
    expect(runtime.client.isConnected()).toBe(true);
  });

  it('shares requests between two instances of the same service, answering each request exactly once', async () => {
    const secondRuntime = await Runtime.create(testConfig(kind, { databaseUrl, busNamespace, requestTimeoutMs: 2000 }), 'test-2');
    opened.push(secondRuntime);
    const second = await startBusService(definition(), secondRuntime);
    opened.unshift(second);
    // Make sure NATS has registered both instances' subscriptions before counting.
    await natsOf(runtime)?.flush();
    await natsOf(secondRuntime)?.flush();

    const texts = Array.from({ length: 40 }, (_, i) => `share-${i}-${randomUUID()}`);
    const replies = await Promise.all(texts.map((text) => secondRuntime.client.request(Echo, { text }, { actor: USER })));

    expect(replies.map((r) => r.text)).toEqual(texts);
    const perInstance = new Map<string, number>();
    for (const r of replies) perInstance.set(r.instance, (perInstance.get(r.instance) ?? 0) + 1);
    expect(perInstance.size).toBe(2);
    for (const count of perInstance.values()) expect(count).toBeGreaterThan(0);
    for (const text of texts) expect(echoCalls.filter((c) => c.text === text)).toHaveLength(1);

    await second.close();
    opened.splice(opened.indexOf(second), 1);
  });

  if (kind === 'nats') {
    it('answers a request that is not JSON with VALIDATION_FAILED instead of dropping it', async () => {
      const foreign = await connect({ servers: testEnv().natsUrl, name: 'messaging-bus-spec-foreign-client' });
      try {
        const msg = await foreign.request(new Namespace(busNamespace).rpcSubject('gateway', Echo.subject), 'this is not json', { timeout: 2000 });
        const err = await appErrorOf(Promise.resolve().then(() => unwrapReply(decodeJson(msg.data), Echo.subject)));

        expect(err.code).toBe(ErrorCode.VALIDATION_FAILED);
        expect(err.message).toBe('envelope must be a JSON object');
      } finally {
        await foreign.close();
      }
    });

    it('does not reach a service in another bus namespace', async () => {
      const elsewhere = await Runtime.create(testConfig(kind, { databaseUrl, busNamespace: uniqueNamespace('busother') }), 'test-other');
      opened.push(elsewhere);

      const err = await appErrorOf(elsewhere.client.request(Echo, { text: 'hello?' }, { actor: USER }));

      expect(err.code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
      expect(err.details).toEqual({ reason: 'no_responders' });
    });
  }
});
