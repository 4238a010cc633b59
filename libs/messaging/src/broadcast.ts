import { AsyncResource } from 'node:async_hooks';
import type { Subscription } from '@nats-io/nats-core';
import { mayBroadcast, mayHear, subjectMatches } from '#contracts';
import { describeError, rootLogger } from '#observability';
import type { NatsLink } from './nats-connection.js';
import { decodeJson, encodeJson, type Namespace } from './wire.js';

export type BroadcastListener<T> = (data: T) => void;

/**
 * Fire-and-forget messages that every replica of every subscriber hears (no queue group), for
 * hints such as cache invalidation. Not durable: a replica that misses one must be correct anyway
 * (a TTL bounds what it can get wrong). Use events (outbox + JetStream) for anything that must
 * not be lost.
 */
export interface Broadcast {
  publish<T>(subject: string, data: T): void;
  subscribe<T>(subject: string, listener: BroadcastListener<T>): () => void;
}

export const BROADCAST = Symbol('BROADCAST');

const log = () => rootLogger().child({ component: 'broadcast' });

function deliver<T>(listener: BroadcastListener<T>, data: T, subject: string): void {
  try {
    listener(data);
  } catch (err) {
    log().warn({ ...describeError(err), subject }, 'broadcast listener failed');
  }
}

export class NatsBroadcast implements Broadcast {
  constructor(
    private readonly link: NatsLink,
    private readonly ns: Namespace,
  ) {}

  publish<T>(subject: string, data: T): void {
    if (!this.link.isConnected()) return; // A hint that cannot be sent is a TTL's worth of staleness, not an error.
    this.link.nc.publish(this.ns.subject(subject), encodeJson(data));
  }

  subscribe<T>(subject: string, listener: BroadcastListener<T>): () => void {
    const subscription: Subscription = this.link.nc.subscribe(this.ns.subject(subject), {
      callback: (err, msg) => {
        if (err) return;
        let data: T;
        try {
          data = decodeJson(msg.data) as T;
        } catch {
          return;
        }
        deliver(listener, data, subject);
      },
    });
    return () => subscription.unsubscribe();
  }
}

/**
 * The single-process twin: same JSON round trip, delivered asynchronously like a network hop, and
 * in the listener's own async context (the one it subscribed in), never the publisher's: a hint
 * published inside a transaction must not hand that transaction (or its request id) to the listener.
 * A subscription with NATS wildcards (`*`, a last `>`) hears what they match, as on NATS.
 */
export class InProcessBroadcast implements Broadcast {
  private readonly listeners = new Map<string, Set<BroadcastListener<unknown>>>();
  /** The subscribed subjects with wildcards, matched against every publish. */
  private readonly patterns = new Set<string>();

  publish<T>(subject: string, data: T): void {
    let wire: string | undefined;
    const send = (listeners: Set<BroadcastListener<unknown>> | undefined) => {
      if (!listeners || listeners.size === 0) return;
      const message = (wire ??= JSON.stringify(data ?? null));
      for (const listener of listeners) queueMicrotask(() => deliver(listener, JSON.parse(message) as unknown, subject));
    };
    send(this.listeners.get(subject));
    for (const pattern of this.patterns) if (subjectMatches(pattern, subject)) send(this.listeners.get(pattern));
  }

  subscribe<T>(subject: string, listener: BroadcastListener<T>): () => void {
    const set = this.listeners.get(subject) ?? new Set<BroadcastListener<unknown>>();
    const own = AsyncResource.bind(listener as BroadcastListener<unknown>);
    set.add(own);
    this.listeners.set(subject, set);
    if (isWildcard(subject)) this.patterns.add(subject);
    return () => {
      set.delete(own);
      // Per-run subjects come and go: an emptied one is dropped, not kept for ever.
      if (set.size === 0 && this.listeners.get(subject) === set) {
        this.listeners.delete(subject);
        this.patterns.delete(subject);
      }
    };
  }
}

function isWildcard(subject: string): boolean {
  return subject.includes('*') || subject.endsWith('>');
}

/**
 * One app's view of the process's broadcasts: it may send only on its own subjects
 * (`<service>.…`) and hear those and the ones the table grants it, as its NATS user may.
 */
export class ServiceBroadcast implements Broadcast {
  constructor(
    private readonly inner: Broadcast,
    private readonly service: string,
  ) {}

  publish<T>(subject: string, data: T): void {
    this.check(subject);
    this.inner.publish(subject, data);
  }

  subscribe<T>(subject: string, listener: BroadcastListener<T>): () => void {
    if (!mayHear(this.service, subject)) throw new Error(`the ${this.service} may not listen to ${subject}: not its own, nor granted in the bus permission table`);
    return this.inner.subscribe(subject, listener);
  }

  private check(subject: string): void {
    if (!mayBroadcast(this.service, subject)) throw new Error(`the ${this.service} service may not broadcast on ${subject}: only on its own subjects`);
  }
}
