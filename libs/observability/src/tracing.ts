import { type Attributes, type Context, context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

export { SpanKind, type Span, type Context, type Attributes };

let enabled = false;
let captureContent = false;

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};
const recordGetter: TextMapGetter<Record<string, string> | undefined> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get: (carrier, key) => carrier?.[key],
};

/** W3C traceparent: version, trace id, parent span id, flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * Spans through the OpenTelemetry API. Until `startTracing` (tracing-sdk.ts) turns the SDK on,
 * every helper here returns at once without creating a span: tracing that is not configured costs
 * one boolean test per call site.
 */
export const Tracing = {
  get enabled(): boolean {
    return enabled;
  },

  /** Whether prompts and answers go into spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
  get captureContent(): boolean {
    return enabled && captureContent;
  },

  /** Called by the SDK's start-up once a tracer provider, context manager and propagator are registered. */
  markStarted(options: { captureContent: boolean }): void {
    enabled = true;
    captureContent = options.captureContent;
  },

  markStopped(): void {
    enabled = false;
  },

  /**
   * Runs `fn` inside a new span (a child of `parent`, or of the active span), ending it when `fn`
   * settles: an error sets the span's status and `error.type`. With tracing off, just runs `fn`.
   */
  async inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
    if (!enabled) return fn(undefined);
    const parent = options.parent ?? context.active();
    const span = trace.getTracer('agent-platform').startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
    try {
      return await context.with(trace.setSpan(parent, span), () => fn(span));
    } catch (err) {
      Tracing.recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  },

  /** A span the caller ends itself (e.g. an HTTP request across hooks), or undefined with tracing off. */
  startSpan(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }): Span | undefined {
    if (!enabled) return undefined;
    return trace.getTracer('agent-platform').startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, options.parent ?? context.active());
  },

  /** Runs `fn` with `span` active (as is, when there is none). */
  withSpan<T>(span: Span | undefined, fn: () => T): T {
    if (!span) return fn();
    return context.with(trace.setSpan(context.active(), span), fn);
  },

  recordError(span: Span | undefined, err: unknown): void {
    if (!span) return;
    const code = (err as { code?: unknown } | null)?.code;
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message.slice(0, 300) : undefined });
    span.setAttribute('error.type', typeof code === 'string' ? code : err instanceof Error ? err.name : 'error');
  },

  /** Adds the active context's W3C headers (traceparent, tracestate) to `carrier`. */
  inject(carrier: Record<string, string>): void {
    if (enabled) propagation.inject(context.active(), carrier, recordSetter);
  },

  /** The context a remote caller sent in its headers (the root context when none, or tracing is off). */
  extract(carrier: Record<string, string> | undefined): Context {
    if (!enabled || !carrier) return ROOT_CONTEXT;
    return propagation.extract(ROOT_CONTEXT, carrier, recordGetter);
  },

  /** The active span's W3C traceparent, for work picked up later (a queued run). */
  traceparent(): string | undefined {
    if (!enabled) return undefined;
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier, recordSetter);
    return carrier.traceparent;
  },

  /** The active trace's id (32 hex digits), when a span is active. */
  traceId(): string | undefined {
    if (!enabled) return undefined;
    const spanContext = trace.getActiveSpan()?.spanContext();
    return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  },

  /** The context of a stored traceparent (a queued run's), so its work joins the trace that queued it. */
  fromTraceparent(traceparent: string | null | undefined): Context {
    if (!enabled || !traceparent || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
    return propagation.extract(ROOT_CONTEXT, { traceparent }, recordGetter);
  },
};
