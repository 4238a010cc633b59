import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import type { EventEnvelope } from '#contracts';
import { describeError, rootLogger } from '#observability';
import { sleep } from './deadline.js';
import type { EventPublisher } from './event-publisher.js';
import type { NatsLink } from './nats-connection.js';
import { encodeJson, type Namespace, REQUEST_ID_HEADER } from './wire.js';

const STREAM_MAX_AGE_MS = 7 * 86_400_000;
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/**
 * The one events stream of a namespace, kept on `replicas` NATS servers (JETSTREAM_REPLICAS: 3 on
 * a NATS cluster, so losing one server loses no event). Idempotent: every publisher and consumer
 * ensures it. A stream created earlier with another replica count is moved to the new one.
 */
export async function ensureEventStream(jsm: JetStreamManager, ns: Namespace, replicas = 1): Promise<void> {
  const config = {
    name: ns.streamName,
    subjects: [ns.subject('events.>')],
    max_age: nanos(STREAM_MAX_AGE_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
  };
  let existing;
  try {
    existing = await jsm.streams.info(ns.streamName);
  } catch {
    existing = undefined;
  }
  if (existing) {
    if (existing.config.num_replicas !== replicas) {
      await jsm.streams.update(ns.streamName, { num_replicas: replicas }).then(
        () => rootLogger().info({ stream: ns.streamName, replicas }, 'events stream moved to the configured replica count'),
        (err: unknown) => rootLogger().warn({ ...describeError(err), stream: ns.streamName, replicas }, 'events stream keeps its replica count: the update was refused'),
      );
    }
  } else {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // A replica may have created it in between.
      await jsm.streams.info(ns.streamName).catch(() => Promise.reject(err));
    }
  }
}

export class JetStreamPublisher implements EventPublisher {
  private js: JetStreamClient | undefined;
  private streamReady = false;

  constructor(
    private readonly link: NatsLink,
    private readonly ns: Namespace,
    private readonly streamReplicas = 1,
  ) {}

  async publish(event: EventEnvelope): Promise<void> {
    if (!this.streamReady) {
      await ensureEventStream(await jetstreamManager(this.link.nc), this.ns, this.streamReplicas);
      this.streamReady = true;
    }
    this.js ??= jetstream(this.link.nc);
    const h = natsHeaders();
    if (event.requestId) h.set(REQUEST_ID_HEADER, event.requestId);
    try {
      await this.js.publish(this.ns.subject(event.subject), encodeJson(event), { msgID: event.id, headers: h, timeout: 5000 });
    } catch (err) {
      this.streamReady = false;
      throw err;
    }
  }
}

export type JetStreamDelivery = (event: unknown) => Promise<unknown>;

/**
 * A durable consumer of one event subject for one service, delivering to `deliver` one message
 * at a time per subject. A failure is retried with growing delays; acks happen only after the
 * handler's transaction committed.
 */
export class DurableEventConsumer {
  /** True while attached to the stream and taking messages; false while (re)connecting. */
  consuming = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private stopCurrent: (() => void) | undefined;
  private readonly log = rootLogger().child({ component: 'event-consumer' });

  constructor(
    private readonly link: NatsLink,
    private readonly ns: Namespace,
    private readonly service: string,
    private readonly subject: string,
    private readonly deliver: JetStreamDelivery,
    private readonly streamReplicas = 1,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopCurrent?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const durable = this.ns.durableName(this.service, this.subject);
    while (!this.stopped) {
      try {
        const jsm = await jetstreamManager(this.link.nc);
        await ensureEventStream(jsm, this.ns, this.streamReplicas);
        await jsm.consumers.info(this.ns.streamName, durable).catch(() =>
          jsm.consumers.add(this.ns.streamName, {
            durable_name: durable,
            filter_subject: this.ns.subject(this.subject),
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
            ack_wait: nanos(60_000),
            max_ack_pending: 64,
          }),
        );
        const consumer = await jetstream(this.link.nc).consumers.get(this.ns.streamName, durable);
        const messages = await consumer.consume({ max_messages: 16 });
        this.stopCurrent = () => void messages.close();
        this.consuming = true;
        for await (const msg of messages) {
          let event: unknown;
          try {
            event = msg.json();
          } catch {
            // Undecodable: the inbox records it as rejected instead of it being redelivered for ever.
            event = undefined;
          }
          try {
            await this.deliver(event);
            msg.ack();
          } catch (err) {
            const attempt = msg.info.deliveryCount;
            this.log.warn({ ...describeError(err), subject: this.subject, attempt }, 'event delivery failed; redelivering later');
            msg.nak(Math.min(60_000, 500 * 2 ** Math.min(attempt, 7)));
          }
          if (this.stopped) break;
        }
        this.consuming = false;
      } catch (err) {
        this.consuming = false;
        if (this.stopped) break;
        this.log.warn({ ...describeError(err), subject: this.subject }, 'event consumer interrupted; restarting');
        await sleep(1000);
      }
    }
  }
}
