import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { rootLogger } from './logger.js';
import { Tracing } from './tracing.js';

type Env = Record<string, string | undefined>;

/**
 * Whether the standard OTEL_* variables ask for traces: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), or OTEL_TRACES_EXPORTER=otlp for the default local
 * collector; never with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
export function tracingRequested(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || exporter === 'otlp');
}

/**
 * Starts the OpenTelemetry SDK when the environment asks for traces (see tracingRequested), and
 * resolves with its stop (which flushes what is queued). When it does not, nothing is loaded and
 * nothing starts. The OTLP exporter reads its endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_*
 * variables itself; OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL picks http/protobuf (the default) or
 * http/json. The service name is OTEL_SERVICE_NAME, else the process's name.
 */
export async function startTracing(processName: string, env: Env = process.env): Promise<(() => Promise<void>) | undefined> {
  if (Tracing.enabled || !tracingRequested(env)) return undefined;
  const log = rootLogger().child({ component: 'tracing' });
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim().toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    log.warn({ protocol }, 'OTLP protocol not supported here (http/protobuf or http/json); traces are not exported');
    return undefined;
  }
  const sampling = samplingRequested(env);
  const [sdk, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, exporterModule] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  // The SDK's own complaints (an exporter that cannot reach its collector) go to our log, once each.
  diag.setLogger(
    {
      error: (message) => log.warn({ detail: message.slice(0, 300) }, 'OpenTelemetry error'),
      warn: (message) => log.debug({ detail: message.slice(0, 300) }, 'OpenTelemetry warning'),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  // The endpoint as the specification derives it (the exporter would read process.env itself; `env` may be another).
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const baseEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = tracesEndpoint || (baseEndpoint ? `${baseEndpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  const exporter = new exporterModule.OTLPTraceExporter(url ? { url } : {});
  const scheduledDelayMillis = positiveInt(env.OTEL_BSP_SCHEDULE_DELAY) ?? 5000;
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME?.trim() || processName,
      'service.version': process.env.npm_package_version ?? '0.1.0',
    }),
    sampler: samplerOf(sdk, sampling, log),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter,
        scheduledDelayMillis,
        maxQueueSize: positiveInt(env.OTEL_BSP_MAX_QUEUE_SIZE) ?? 2048,
        maxExportBatchSize: positiveInt(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE) ?? 512,
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  Tracing.markStarted({ captureContent: env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase() === 'true' });
  log.info({ protocol, sampler: sampling.name, ...(sampling.ratio !== undefined ? { ratio: sampling.ratio } : {}) }, 'exporting traces over OTLP');
  return async () => {
    Tracing.markStopped();
    await provider.shutdown().catch(() => undefined);
    trace.disable();
    propagation.disable();
    context.disable();
  };
}

/** The samplers OTEL_TRACES_SAMPLER may name (the specification's built-in ones). */
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
type SamplerName = (typeof SAMPLERS)[number];

/**
 * Which spans are kept, from OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (the ratio, 0..1, of
 * the *traceidratio samplers; 1 when absent or not a ratio). Unset: parentbased_always_on, so a
 * caller's sampling decision (its traceparent) is followed and every trace started here is kept.
 * An unknown name falls back to that default, with `unknown` set so that it is said in the log.
 */
export function samplingRequested(env: Env = process.env): { name: SamplerName; ratio?: number; unknown?: string } {
  const asked = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  const name = SAMPLERS.find((s) => s === asked);
  if (!name) return { name: 'parentbased_always_on', ...(asked ? { unknown: asked } : {}) };
  if (!name.endsWith('traceidratio')) return { name };
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG?.trim());
  return { name, ratio: env.OTEL_TRACES_SAMPLER_ARG?.trim() && Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1 };
}

function samplerOf(sdk: typeof import('@opentelemetry/sdk-trace'), sampling: ReturnType<typeof samplingRequested>, log: ReturnType<typeof rootLogger>) {
  if (sampling.unknown) log.warn({ sampler: sampling.unknown }, `OTEL_TRACES_SAMPLER not known here (one of ${SAMPLERS.join(', ')}); parentbased_always_on is used`);
  const root = sampling.name.endsWith('always_off') ? new sdk.AlwaysOffSampler() : sampling.name.endsWith('traceidratio') ? new sdk.TraceIdRatioBasedSampler(sampling.ratio) : new sdk.AlwaysOnSampler();
  return sampling.name.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root;
}

function positiveInt(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isSafeInteger(parsed) && parsed > 0 ? parsed : undefined;
}
