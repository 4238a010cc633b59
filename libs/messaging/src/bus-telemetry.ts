import { AppError } from '#contracts';
import { Metrics, SpanKind, Tracing } from '#observability';

/** Trace headers as they travel with a bus request (W3C traceparent and tracestate). */
export type TraceHeaders = Record<string, string>;

const TRACE_HEADER_NAMES = ['traceparent', 'tracestate'] as const;

function outcomeOf(err: unknown): string {
  return err instanceof AppError ? err.code : 'INTERNAL';
}

/**
 * What every bus request costs in telemetry, for both transports: its duration by subject and
 * outcome, and (with tracing on) a client span whose context travels in the request's headers.
 */
export const BusTelemetry = {
  /** Requests this process sent and answered since it started (a diagnostic count: hops per run in the bench). */
  counts: { sent: 0, handled: 0 },

  async request<T>(subject: string, send: (trace: TraceHeaders | undefined) => Promise<T>): Promise<T> {
    BusTelemetry.counts.sent++;
    const started = performance.now();
    try {
      const result = Tracing.enabled
        ? await Tracing.inSpan(subject, { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } }, () => {
            const headers: TraceHeaders = {};
            Tracing.inject(headers);
            return send(headers);
          })
        : await send(undefined);
      Metrics.busRequest(subject, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      Metrics.busRequest(subject, outcomeOf(err), (performance.now() - started) / 1000);
      throw err;
    }
  },

  /** Runs a handler inside a server span that continues the caller's trace, and counts it. */
  async handle<T extends { ok: boolean; error?: { code: string } }>(subject: string, trace: TraceHeaders | undefined, answer: () => Promise<T>): Promise<T> {
    BusTelemetry.counts.handled++;
    const started = performance.now();
    const reply = Tracing.enabled
      ? await Tracing.inSpan(subject, { kind: SpanKind.SERVER, parent: Tracing.extract(trace), attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } }, async (span) => {
          const result = await answer();
          if (!result.ok && span) span.setAttribute('error.type', result.error?.code ?? 'INTERNAL');
          return result;
        })
      : await answer();
    Metrics.busHandled(subject, reply.ok ? 'ok' : (reply.error?.code ?? 'INTERNAL'), (performance.now() - started) / 1000);
    return reply;
  },

  /** The trace headers of a NATS message, when tracing is on. */
  fromNatsHeaders(headers: { get(name: string): string } | undefined): TraceHeaders | undefined {
    if (!Tracing.enabled || !headers) return undefined;
    const found: TraceHeaders = {};
    for (const name of TRACE_HEADER_NAMES) {
      const value = headers.get(name);
      if (value) found[name] = value;
    }
    return found;
  },
};
