import { AppError, ErrorCode, type Envelope, type EventEnvelope, mayCall, type RpcContract } from '#contracts';
import { RequestContext } from '#observability';
import type { BusClient, RequestOptions } from './bus-client.js';
import { assertCallerName, callerOf, notPermitted } from './bus-identity.js';
import { BusTelemetry, type TraceHeaders } from './bus-telemetry.js';
import { InProcessBroadcast } from './broadcast.js';
import { NO_RESPONDER_RETRY_MS, sleep, upstreamTimeout } from './deadline.js';
import { unwrapReply, type WireReply } from './wire.js';

/** Answers one request; `caller` is who sent it, as the sending client is bound (NATS: its credentials). */
export type RpcResponder = (envelope: unknown, caller: string, trace?: TraceHeaders) => Promise<WireReply>;
export type EventSubscriber = (event: EventEnvelope) => Promise<void>;

/**
 * The single-process stand-in for NATS: same subjects, same envelopes, same JSON round trip (so a
 * Date or a class instance behaves as it would on the wire), same timeouts and errors.
 */
export class InProcessBus {
  private static instance: InProcessBus | undefined;
  private readonly responders = new Map<string, RpcResponder[]>();
  private readonly cursor = new Map<string, number>();
  private readonly subscribers = new Map<string, EventSubscriber[]>();
  /** Broadcasts of this process: every app in single-process mode hears them. */
  readonly broadcast = new InProcessBroadcast();

  /** One bus per process: every app in single-process mode meets on it. */
  static shared(): InProcessBus {
    InProcessBus.instance ??= new InProcessBus();
    return InProcessBus.instance;
  }

  respond(subject: string, responder: RpcResponder): () => void {
    const list = this.responders.get(subject) ?? [];
    list.push(responder);
    this.responders.set(subject, list);
    return () => this.responders.set(subject, (this.responders.get(subject) ?? []).filter((r) => r !== responder));
  }

  subscribe(subject: string, subscriber: EventSubscriber): () => void {
    const list = this.subscribers.get(subject) ?? [];
    list.push(subscriber);
    this.subscribers.set(subject, list);
    return () => this.subscribers.set(subject, (this.subscribers.get(subject) ?? []).filter((s) => s !== subscriber));
  }

  /** Picks a responder round-robin, as a queue group would. */
  nextResponder(subject: string): RpcResponder | undefined {
    const list = this.responders.get(subject);
    if (!list || list.length === 0) return undefined;
    const i = (this.cursor.get(subject) ?? 0) % list.length;
    this.cursor.set(subject, i + 1);
    return list[i];
  }

  /** Delivers to every subscriber; rejects if any fails, so the relay retries (inboxes dedupe). */
  async publish(event: EventEnvelope): Promise<void> {
    const copy = JSON.parse(JSON.stringify(event)) as EventEnvelope;
    const list = this.subscribers.get(event.subject) ?? [];
    const results = await Promise.allSettled(list.map((s) => s(copy)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * One app's client in single-process mode. Bound to an identity, it enforces the bus permission
 * table exactly as the NATS server does for that app's credentials, so a test in one process
 * catches a call the app is not granted.
 */
export class InProcessBusClient implements BusClient {
  constructor(
    private readonly bus: InProcessBus,
    private readonly defaultTimeoutMs: number,
    /** The app this client sends as; unset: as the actor says (see callerOf). */
    private readonly identity?: string,
  ) {
    if (identity !== undefined) assertCallerName(identity);
  }

  isConnected(): boolean {
    return true;
  }

  async request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions): Promise<Res> {
    const caller = callerOf(this.identity, options.actor, contract.subject);
    if (!mayCall(caller, contract.subject)) throw notPermitted(caller, contract.subject);
    return BusTelemetry.request(contract.subject, (trace) => this.send(contract, data, options, caller, trace));
  }

  private async send<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions, caller: string, trace: TraceHeaders | undefined): Promise<Res> {
    const requestId = options.requestId ?? RequestContext.requestId() ?? RequestContext.newId();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const envelope: Envelope<Req> = { actor: options.actor, requestId, data };
    const wire = JSON.parse(JSON.stringify(envelope)) as unknown;
    const deadline = Date.now() + timeoutMs;

    let responder = this.bus.nextResponder(contract.subject);
    while (!responder) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw upstreamTimeout(contract.subject, timeoutMs, 'no_responders');
      await sleep(Math.min(NO_RESPONDER_RETRY_MS, remaining));
      responder = this.bus.nextResponder(contract.subject);
    }

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(upstreamTimeout(contract.subject, timeoutMs, 'timeout')), Math.max(1, deadline - Date.now()));
    });
    try {
      // The responder runs outside the caller's context, as a remote one would.
      const reply = await Promise.race([RequestContext.run(requestId, () => responder(wire, caller, trace)), timeout]);
      return unwrapReply<Res>(JSON.parse(JSON.stringify(reply)), contract.subject);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(ErrorCode.INTERNAL, `malformed reply on ${contract.subject}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
