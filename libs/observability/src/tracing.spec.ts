import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { samplingRequested, startTracing, Tracing, tracingRequested } from './index.js';

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

describe('which traces are kept', () => {
  it('reads OTEL_TRACES_SAMPLER and its ratio; an unknown name or a bad ratio keeps everything', () => {
    expect(samplingRequested({})).toEqual({ name: 'parentbased_always_on' });
    expect(samplingRequested({ OTEL_TRACES_SAMPLER: 'always_off' })).toEqual({ name: 'always_off' });
    expect(samplingRequested({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual({ name: 'parentbased_traceidratio', ratio: 0.25 });
    expect(samplingRequested({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' })).toEqual({ name: 'traceidratio', ratio: 1 });
    expect(samplingRequested({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toEqual({ name: 'traceidratio', ratio: 1 });
    expect(samplingRequested({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toEqual({ name: 'parentbased_always_on', unknown: 'jaeger_remote' });
  });

  it.each([
    ['always_off', undefined, false],
    ['traceidratio', '0', false],
    ['parentbased_traceidratio', '1', true],
    [undefined, undefined, true],
  ])('with OTEL_TRACES_SAMPLER=%s (ratio %s) a new trace is recorded: %s', async (sampler, ratio, recorded) => {
    // A collector that takes whatever it is sent, so the stop's flush is quick.
    const collector = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const stop = await startTracing('test', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      ...(sampler ? { OTEL_TRACES_SAMPLER: sampler } : {}),
      ...(ratio ? { OTEL_TRACES_SAMPLER_ARG: ratio } : {}),
    });
    try {
      expect(stop).toBeDefined();
      const seen = await Tracing.inSpan('work', {}, async (span) => ({ recording: span?.isRecording(), traceparent: Tracing.traceparent() }));
      expect(seen.recording).toBe(recorded);
      // The decision travels on: a caller downstream sees the sampled flag (01) or not (00).
      expect(seen.traceparent?.endsWith(recorded ? '-01' : '-00')).toBe(true);
    } finally {
      await stop?.();
      collector.close();
    }
  });
});
