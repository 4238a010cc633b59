import { headers as natsHeaders } from '@nats-io/nats-core';
import { AppError, ErrorCode, type Envelope, type RpcContract } from '#contracts';
import { RequestContext } from '#observability';
import type { BusClient, RequestOptions } from './bus-client.js';
import { BusTelemetry, type TraceHeaders } from './bus-telemetry.js';
import { NO_RESPONDER_RETRY_MS, sleep, upstreamTimeout } from './deadline.js';
import type { NatsLink } from './nats-connection.js';
import { type RequestOutcome, SharedInboxRequester } from './shared-inbox.requester.js';
import { decodeJson, encodeJson, type Namespace, REQUEST_ID_HEADER, unwrapReply } from './wire.js';

/** The gateway's (and any service's) client: shared-inbox requests with typed errors and deadlines. */
export class NatsBusClient implements BusClient {
  private readonly requester: SharedInboxRequester;

  constructor(
    private readonly link: NatsLink,
    private readonly ns: Namespace,
    private readonly defaultTimeoutMs: number,
  ) {
    this.requester = new SharedInboxRequester(link.nc);
  }

  isConnected(): boolean {
    return this.link.isConnected();
  }

  request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions): Promise<Res> {
    return BusTelemetry.request(contract.subject, (trace) => this.send(contract, data, options, trace));
  }

  private async send<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions, trace: TraceHeaders | undefined): Promise<Res> {
    const requestId = options.requestId ?? RequestContext.requestId() ?? RequestContext.newId();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const envelope: Envelope<Req> = { actor: options.actor, requestId, data };
    const payload = encodeJson(envelope);
    const subject = this.ns.subject(contract.subject);
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
