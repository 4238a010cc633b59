import { startTracing, Tracing, tracingRequested } from './index.js';

describe('when tracing starts', () => {
  it('starts only when an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp asks, never when disabled', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('loads nothing and makes no span when not asked: helpers just run their work', async () => {
    expect(await startTracing('test', {})).toBeUndefined();
    expect(Tracing.enabled).toBe(false);
    let seen: unknown = 'unset';
    const result = await Tracing.inSpan('work', {}, async (span) => {
      seen = span;
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toBeUndefined();
    expect(Tracing.traceparent()).toBeUndefined();
    expect(Tracing.traceId()).toBeUndefined();
    const carrier: Record<string, string> = {};
    Tracing.inject(carrier);
    expect(carrier).toEqual({});
  });

  it('refuses a protocol it cannot export (gRPC) without starting', async () => {
    expect(await startTracing('test', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBeUndefined();
    expect(Tracing.enabled).toBe(false);
  });
});
