import { headers as natsHeaders } from '@nats-io/nats-core';
import { AppError, ErrorCode, type Envelope, mayCall, type RpcContract } from '#contracts';
import { RequestContext } from '#observability';
import type { BusClient, RequestOptions } from './bus-client.js';
import { assertCallerName, callerOf, notPermitted } from './bus-identity.js';
import { BusTelemetry, type TraceHeaders } from './bus-telemetry.js';
import { NO_RESPONDER_RETRY_MS, sleep, upstreamTimeout } from './deadline.js';
import type { NatsLink } from './nats-connection.js';
import { type RequestOutcome, SharedInboxRequester } from './shared-inbox.requester.js';
import { decodeJson, encodeJson, type Namespace, REQUEST_ID_HEADER, unwrapReply } from './wire.js';

/**
 * The gateway's (and any service's) client: shared-inbox requests with typed errors and deadlines.
 * Each request goes out as `rpc.<caller>.<subject>`; with bus credentials the NATS server lets
 * this app's user publish only its own granted subjects, so a call the table does not grant is
 * refused here at once instead of being dropped by the server.
 */
export class NatsBusClient implements BusClient {
  private readonly requester: SharedInboxRequester;

  constructor(
    private readonly link: NatsLink,
    private readonly ns: Namespace,
    private readonly defaultTimeoutMs: number,
    /** The app this client sends as (the NATS user's name); unset: as the actor says (see callerOf). */
    private readonly identity?: string,
  ) {
    if (identity !== undefined) assertCallerName(identity);
    this.requester = new SharedInboxRequester(link.nc, link.inboxPrefix);
  }

  isConnected(): boolean {
    return this.link.isConnected();
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
    const payload = encodeJson(envelope);
    const subject = this.ns.rpcSubject(caller, contract.subject);
    const deadline = Date.now() + timeoutMs;
    const h = natsHeaders();
    h.set(REQUEST_ID_HEADER, requestId);
    if (trace) for (const [name, value] of Object.entries(trace)) h.set(name, value);

    for (;;) {
      if (!this.link.isConnected()) throw busUnavailable();
      let outcome: RequestOutcome;
      try {
        outcome = await this.requester.request(subject, payload, h, Math.max(1, deadline - Date.now()));
      } catch {
        throw busUnavailable();
      }
      if (outcome.kind === 'timeout') {
        // A connection lost mid-request is an outage, not a slow service.
        if (!this.link.isConnected()) throw busUnavailable();
        throw upstreamTimeout(contract.subject, timeoutMs, 'timeout');
      }
      if (outcome.kind === 'no_responders') {
        const remaining = deadline - Date.now();
        if (remaining <= NO_RESPONDER_RETRY_MS) {
          // Too little time left for another round trip: report the deadline, not sooner.
          await sleep(Math.max(0, remaining));
          throw upstreamTimeout(contract.subject, timeoutMs, 'no_responders');
        }
        await sleep(NO_RESPONDER_RETRY_MS);
        continue;
      }
      let reply: unknown;
      try {
        reply = decodeJson(outcome.data);
      } catch {
        throw new AppError(ErrorCode.INTERNAL, `malformed reply on ${contract.subject}`);
      }
      return unwrapReply<Res>(reply, contract.subject);
    }
  }

  close(): void {
    this.requester.close();
  }
}

function busUnavailable(): AppError {
  return new AppError(ErrorCode.UNAVAILABLE, 'the message bus is unavailable, try again shortly');
}
