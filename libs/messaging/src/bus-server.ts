import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom, isObservable } from 'rxjs';
import { AppError, Envelope, ErrorCode, type ErrorBody, mayConsume, mayServe, validatePayload } from '#contracts';
import { describeError, RequestContext, rootLogger } from '#observability';
import { ActingUser, isDatabaseUnavailable } from '#persistence';
import { checkCaller } from './bus-identity.js';
import { BusTelemetry, type TraceHeaders } from './bus-telemetry.js';
import type { EventContext, EventDispatcher } from './event-dispatcher.js';
import type { WireReply } from './wire.js';

export interface BusServerAttachments {
  dispatcher: EventDispatcher;
  /** Answers `<service>.health.check` without going through Nest, so it works even when handlers are busy. */
  health: { subject: string; probe: () => Promise<unknown> };
}

/**
 * What both transports share: decoding and validating the envelope, running the Nest handler in
 * the request's context, and turning whatever it throws into a typed error body.
 */
export abstract class BusServer extends Server implements CustomTransportStrategy {
  protected readonly log = rootLogger().child({ component: 'bus-server' });
  protected attachments: BusServerAttachments | undefined;

  constructor(protected readonly service: string) {
    super();
  }

  attach(attachments: BusServerAttachments): void {
    this.attachments = attachments;
  }

  /** Whether every subscription (requests and events) is up; a health listener's readiness asks this. */
  abstract listening(): boolean;

  protected rpcPatterns(): Array<[string, MessageHandler]> {
    return [...this.messageHandlers.entries()].filter(([, h]) => !h.isEventHandler);
  }

  protected eventPatterns(): Array<[string, MessageHandler]> {
    return [...this.messageHandlers.entries()].filter(([, h]) => h.isEventHandler);
  }

  protected requireAttachments(): BusServerAttachments {
    if (!this.attachments) throw new Error(`${this.service}: attach() the inbox and health probe before listen()`);
    return this.attachments;
  }

  /** Refuses to start a service with a handler the bus permission table does not grant it. */
  protected checkGrants(): void {
    const refused = [
      ...this.rpcPatterns().filter(([pattern]) => !mayServe(this.service, pattern)).map(([pattern]) => `answer ${pattern}`),
      ...this.eventPatterns().filter(([pattern]) => !mayConsume(this.service, pattern)).map(([pattern]) => `consume ${pattern}`),
    ];
    if (refused.length > 0) throw new Error(`the bus permission table does not let the ${this.service} service ${refused.join(', ')}`);
  }

  /** Runs one request from `caller` through its handler; never rejects. */
  protected async answer(subject: string, handler: MessageHandler, raw: unknown, caller: string | undefined, trace?: TraceHeaders): Promise<WireReply> {
    let envelope: Envelope;
    try {
      envelope = await validatePayload(Envelope, headerOf(raw), 'envelope');
    } catch (err) {
      return { ok: false, error: this.toErrorBody(err, subject) };
    }
    envelope.data = (raw as { data?: unknown }).data;
    const refused = checkCaller(caller, subject, envelope.actor);
    if (refused) {
      this.log.warn({ subject, caller, outcome: refused.code }, 'request refused: caller not permitted');
      return { ok: false, error: refused.toBody() };
    }
    // The database work of a user's request sees only that user's rows (row-level security).
    const actingUser = envelope.actor.kind === 'user' ? envelope.actor.userId : undefined;
    return RequestContext.run(envelope.requestId, () =>
      ActingUser.run(actingUser, () =>
        BusTelemetry.handle(subject, trace, async () => {
          const started = performance.now();
          let reply: WireReply;
          try {
            const result: unknown = await handler(envelope, undefined);
            const data = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
            reply = { ok: true, data: data ?? null };
          } catch (err) {
            reply = { ok: false, error: this.toErrorBody(err, subject) };
          }
          // Debug, not info: the gateway's access line is the one line per request; a line per hop per
          // service multiplied the log volume (and its cost) by the hops.
          this.log.debug({ subject, ms: Math.round(performance.now() - started), outcome: reply.ok ? 'ok' : reply.error.code }, 'handled');
          return reply;
        }),
      ),
    );
  }

  protected async answerHealth(raw: unknown, caller: string | undefined): Promise<WireReply> {
    const { probe, subject } = this.requireAttachments().health;
    try {
      const envelope = await validatePayload(Envelope, raw, 'envelope');
      const refused = checkCaller(caller, subject, envelope.actor);
      if (refused) throw refused;
      return { ok: true, data: await probe() };
    } catch (err) {
      return { ok: false, error: this.toErrorBody(err, 'health') };
    }
  }

  protected deliverEvent(handler: MessageHandler, raw: unknown): Promise<unknown> {
    return this.requireAttachments().dispatcher.dispatch(raw, async (event, context: EventContext) => {
      const result: unknown = await handler(event, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    });
  }

  private toErrorBody(err: unknown, subject: string): ErrorBody {
    if (err instanceof AppError) return err.toBody();
    if (isDatabaseUnavailable(err)) {
      this.log.warn({ ...describeError(err), subject }, 'database unavailable');
      return { code: ErrorCode.UNAVAILABLE, message: 'the service is temporarily unavailable, try again shortly' };
    }
    const correlationId = RequestContext.requestId();
    this.log.error({ ...describeError(err), subject }, 'unexpected error in handler');
    return { code: ErrorCode.INTERNAL, message: 'internal error', details: correlationId ? { requestId: correlationId } : undefined };
  }

  on(): never {
    throw new Error('BusServer does not emit transport events');
  }

  unwrap<T>(): T {
    throw new Error('BusServer has no underlying client to unwrap');
  }
}

/**
 * An envelope without its data, for the envelope's own check: the data is the request, which its
 * handler checks against its contract (Rpc), so walking and copying it here too would check it twice.
 */
function headerOf(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const { data: _data, ...header } = raw as Record<string, unknown>;
  return header;
}
