import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ensureEventStream, Namespace } from '#messaging';
import { testEnv, uniqueNamespace } from '#testing';

/** JETSTREAM_REPLICAS: how many NATS servers keep the events stream (the test NATS is one server). */
describe('the events stream replica count', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: testEnv().natsUrl, name: 'stream-replicas-spec' });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
  });

  it('creates the stream with the configured number of replicas', async () => {
    const ns = new Namespace(uniqueNamespace('replicas'));
    await ensureEventStream(jsm, ns, 1);
    expect((await jsm.streams.info(ns.streamName)).config.num_replicas).toBe(1);
  });

  it('a count the NATS deployment cannot keep fails the creation with NATS saying why', async () => {
    const ns = new Namespace(uniqueNamespace('replicas3'));
    await expect(ensureEventStream(jsm, ns, 3)).rejects.toThrow(/replica/i);
  });

  it('an existing stream is moved to a changed count (JETSTREAM_REPLICAS raised for a NATS cluster)', async () => {
    const ns = new Namespace(uniqueNamespace('replmove'));
    await ensureEventStream(jsm, ns, 1);
    await ensureEventStream(jsm, ns, 1);
    expect((await jsm.streams.info(ns.streamName)).config.num_replicas).toBe(1);
    await ensureEventStream(jsm, ns, 3);
    expect((await jsm.streams.info(ns.streamName)).config.num_replicas).toBe(3);
  });
});
