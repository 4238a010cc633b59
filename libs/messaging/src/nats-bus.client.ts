import { headers as natsHeaders, errors as natsErrors } from '@nats-io/nats-core';
import { AppError, ErrorCode, type Envelope, type RpcContract } from '#contracts';
import { RequestContext } from '#observability';
import type { BusClient, RequestOptions } from './bus-client.js';
import { NO_RESPONDER_RETRY_MS, sleep, upstreamTimeout } from './deadline.js';
import type { NatsLink } from './nats-connection.js';
import { decodeJson, encodeJson, type Namespace, REQUEST_ID_HEADER, unwrapReply } from './wire.js';

/**
 * Requests over the connection's shared reply subscription (nats.js multiplexes every reply on
 * one wildcard inbox), instead of a SUB/UNSUB pair per request as Nest's ClientNats does;
 * bench/nats-client.bench.mjs measures the difference.
 */
export class NatsBusClient implements BusClient {
  constructor(
    private readonly link: NatsLink,
    private readonly ns: Namespace,
    private readonly defaultTimeoutMs: number,
  ) {}

  isConnected(): boolean {
    return this.link.isConnected();
  }

  async request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions): Promise<Res> {
    const requestId = options.requestId ?? RequestContext.requestId() ?? RequestContext.newId();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const envelope: Envelope<Req> = { actor: options.actor, requestId, data };
    const payload = encodeJson(envelope);
    const subject = this.ns.subject(contract.subject);
    const deadline = Date.now() + timeoutMs;

    for (;;) {
      if (!this.link.isConnected()) {
        throw new AppError(ErrorCode.UNAVAILABLE, 'the message bus is unavailable, try again shortly');
      }
      const h = natsHeaders();
      h.set(REQUEST_ID_HEADER, requestId);
      const remaining = deadline - Date.now();
      try {
        const msg = await this.link.nc.request(subject, payload, { timeout: Math.max(1, remaining), headers: h });
        return unwrapReply<Res>(decodeJson(msg.data), contract.subject);
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (isNoResponders(err)) {
          if (Date.now() + NO_RESPONDER_RETRY_MS >= deadline) throw upstreamTimeout(contract.subject, timeoutMs, 'no_responders');
          await sleep(NO_RESPONDER_RETRY_MS);
          continue;
        }
        if (err instanceof natsErrors.TimeoutError) throw upstreamTimeout(contract.subject, timeoutMs, 'timeout');
        if (err instanceof SyntaxError) throw new AppError(ErrorCode.INTERNAL, `malformed reply on ${contract.subject}`);
        throw new AppError(ErrorCode.UNAVAILABLE, 'the message bus is unavailable, try again shortly');
      }
    }
  }
}

function isNoResponders(err: unknown): boolean {
  return (
    err instanceof natsErrors.NoRespondersError ||
    (err instanceof natsErrors.RequestError && err.isNoResponders()) ||
    (err instanceof Error && err.cause instanceof natsErrors.NoRespondersError)
  );
}
