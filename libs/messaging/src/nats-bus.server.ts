import type { Msg, Subscription } from '@nats-io/nats-core';
import { BusServer } from './bus-server.js';
import { BusTelemetry } from './bus-telemetry.js';
import { DurableEventConsumer } from './jetstream.js';
import type { NatsLink } from './nats-connection.js';
import { decodeJson, encodeJson, type Namespace } from './wire.js';

/** Each RPC subject is a queue-group subscription named after the service: replicas share load. */
export class NatsBusServer extends BusServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly consumers: DurableEventConsumer[] = [];
  /** Requests being answered, so a graceful stop answers them all before the connection goes. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    service: string,
    private readonly link: NatsLink,
    private readonly ns: Namespace,
    private readonly streamReplicas = 1,
  ) {
    super(service);
  }

  listen(callback: (...params: unknown[]) => void): void {
    const { health } = this.requireAttachments();
    this.checkGrants();
    const nc = this.link.nc;
    // Requests arrive as rpc.<caller>.<subject>: the caller is read from the subject, which the
    // caller's NATS credentials limit to its own name.
    this.subscriptions.push(
      nc.subscribe(this.ns.rpcPattern(health.subject), {
        queue: this.service,
        callback: (err, msg) => {
          if (!err) this.track(this.answerHealth(safeDecode(msg), this.ns.rpcCaller(msg.subject)).then((reply) => respond(msg, reply)));
        },
      }),
    );
    for (const [pattern, handler] of this.rpcPatterns()) {
      this.subscriptions.push(
        nc.subscribe(this.ns.rpcPattern(pattern), {
          queue: this.service,
          callback: (err, msg) => {
            if (err) return;
            this.track(this.answer(pattern, handler, safeDecode(msg), this.ns.rpcCaller(msg.subject), BusTelemetry.fromNatsHeaders(msg.headers)).then((reply) => respond(msg, reply)));
          },
        }),
      );
    }
    for (const [pattern, handler] of this.eventPatterns()) {
      const consumer = new DurableEventConsumer(this.link, this.ns, this.service, pattern, (event) => this.deliverEvent(handler, event), this.streamReplicas);
      consumer.start();
      this.consumers.push(consumer);
    }
    callback();
  }

  /** Every request subscription open and every event consumer attached to its stream. */
  listening(): boolean {
    return this.subscriptions.length > 0 && this.subscriptions.every((sub) => !sub.isClosed()) && this.consumers.every((c) => c.consuming);
  }

  /**
   * A graceful stop (SIGTERM, a rolling restart): drain every subscription, so NATS sends new
   * requests to the other replicas and what already reached this one is still taken, then answer
   * every request in flight and stop the event consumers (unacked events go to another replica).
   */
  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((sub) => sub.drain().catch(() => undefined)));
    await Promise.all(this.consumers.map((c) => c.stop()));
    await Promise.allSettled([...this.inFlight]);
  }

  private track(answering: Promise<unknown>): void {
    this.inFlight.add(answering);
    void answering.finally(() => this.inFlight.delete(answering));
  }
}

function safeDecode(msg: Msg): unknown {
  try {
    return decodeJson(msg.data);
  } catch {
    return undefined;
  }
}

function respond(msg: Msg, reply: unknown): void {
  if (msg.reply) msg.respond(encodeJson(reply));
}
