import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { NatsLink } from '#messaging';
import { testEnv } from '#testing';

/** How many times the connection wrote to its socket while `work` ran (nats.js' transport, an internal). */
async function socketWrites(link: NatsLink, work: () => Promise<void>): Promise<number> {
  const transport = (link.nc as unknown as { protocol: { transport: { send(bytes: Uint8Array): void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (bytes) => {
    writes++;
    send(bytes);
  };
  try {
    await work();
  } finally {
    transport.send = send;
  }
  return writes;
}

describe('NatsLink', () => {
  let link: NatsLink;
  let observer: NatsConnection;

  beforeAll(async () => {
    link = await NatsLink.open(testEnv().natsUrl, 'nats-connection-spec');
    observer = await connect({ servers: testEnv().natsUrl, name: 'nats-connection-spec-observer' });
  });

  afterAll(async () => {
    await link?.close();
    await observer?.close();
  });

  // One write per message was the largest cost of a busy gateway; a nats.js upgrade that changes
  // its internals would silently bring it back, and this says so.
  it('sends what separate callbacks of one event-loop turn publish in one socket write, and delivers all of it in order', async () => {
    const subject = `nats-connection-spec.${randomUUID()}`;
    const received: string[] = [];
    const sub = observer.subscribe(subject, {
      callback: (_err, msg) => {
        received.push(msg.string());
      },
    });
    await observer.flush();

    const writes = await socketWrites(link, async () => {
      // Ten callbacks of one turn, each its own microtask checkpoint (as ten HTTP requests are).
      await new Promise<void>((resolve) => {
        let left = 10;
        for (let i = 0; i < 10; i++) {
          setImmediate(() => {
            link.nc.publish(subject, `m${i}`);
            if (--left === 0) resolve();
          });
        }
      });
      await link.nc.flush();
    });

    const deadline = Date.now() + 5000;
    while (received.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    sub.unsubscribe();
    expect(received).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    // The ten messages (and the flush's PING) in one or two writes, not ten.
    expect(writes).toBeLessThanOrEqual(2);
  });
});
