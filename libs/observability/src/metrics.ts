import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's one Prometheus registry: in single-process mode every service and the gateway
 * write here, so one scrape shows them all. Labels are bounded sets only (route templates,
 * contract subjects, error codes, run statuses, configured providers and models), never an id.
 */
const registry = new Registry();

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RUN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600];

const httpDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'HTTP requests answered by the gateway, by method, route template and status (its _count is the request rate; 4xx and 5xx statuses are the errors)',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const busRequestDuration = new Histogram({
  name: 'bus_request_duration_seconds',
  help: 'Requests sent on the message bus as the caller waited for them, by contract subject and outcome (ok or the error code)',
  labelNames: ['subject', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const busHandlerDuration = new Histogram({
  name: 'bus_handler_duration_seconds',
  help: 'Bus requests answered by this process, by contract subject and outcome (ok or the error code)',
  labelNames: ['subject', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const runsEnded = new Counter({
  name: 'runs_ended_total',
  help: 'Runs that reached a final status (or requires_action), by kind and status',
  labelNames: ['kind', 'status'] as const,
  registers: [registry],
});

const runDuration = new Histogram({
  name: 'run_duration_seconds',
  help: 'Time from a run being queued to it ending (or requiring action), by kind and status',
  labelNames: ['kind', 'status'] as const,
  buckets: RUN_BUCKETS,
  registers: [registry],
});

const modelTokens = new Counter({
  name: 'gen_ai_tokens_total',
  help: 'Tokens of model calls, by provider, model and type (input or output)',
  labelNames: ['provider', 'model', 'type'] as const,
  registers: [registry],
});

const modelCost = new Counter({
  name: 'gen_ai_cost_usd_total',
  help: 'Cost of model calls in US dollars at the configured prices, by provider and model',
  labelNames: ['provider', 'model'] as const,
  registers: [registry],
});

const modelCalls = new Counter({
  name: 'gen_ai_calls_total',
  help: 'Model calls, by provider, model and outcome (ok or error)',
  labelNames: ['provider', 'model', 'outcome'] as const,
  registers: [registry],
});

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}
export type Sampler = () => Promise<Sample[]>;

/** How long a sampler may take before a scrape goes on without it (the gauge is then absent). */
const SAMPLE_TIMEOUT_MS = 2000;

/**
 * A gauge read from the database at scrape time. Each source (a service, in single-process mode
 * several) watches with its own key and stops watching when it closes; a source that fails or is
 * slow leaves its series out of that scrape rather than failing the scrape.
 */
class SampledGauge<L extends string> {
  private readonly sources = new Map<string, Sampler>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    const sources = this.sources;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        const results = await Promise.all([...sources.values()].map((sample) => withTimeout(sample(), SAMPLE_TIMEOUT_MS).catch(() => [])));
        for (const samples of results) for (const { labels, value } of samples) this.set((labels ?? {}) as Partial<Record<L, string>>, value);
      },
    });
  }

  watch(key: string, sampler: Sampler): () => void {
    this.sources.set(key, sampler);
    return () => {
      if (this.sources.get(key) === sampler) this.sources.delete(key);
    };
  }
}

const queueDepth = new SampledGauge('runs_queue_depth', 'Runs waiting for a worker (pending and available now), by kind', ['kind']);
const queueOldestAge = new SampledGauge('runs_queue_oldest_age_seconds', 'Age of the oldest run waiting for a worker, by kind (0 when none waits)', ['kind']);
const outboxPending = new SampledGauge('outbox_pending_events', 'Committed events not yet published from a service outbox', ['service']);
const outboxLag = new SampledGauge('outbox_lag_seconds', 'Age of the oldest committed event not yet published from a service outbox (0 when none)', ['service']);
const mcpServers = new SampledGauge('mcp_servers', 'Enabled MCP servers by their last health check (healthy, unhealthy, unknown)', ['health']);

let processMetrics = false;

export const Metrics = {
  registry,

  /** Process metrics (CPU, memory, event loop lag, GC, handles): started where /metrics is served. */
  enableProcessMetrics(): void {
    if (processMetrics) return;
    processMetrics = true;
    collectDefaultMetrics({ register: registry });
  },

  async text(): Promise<string> {
    return registry.metrics();
  },

  get contentType(): string {
    return registry.contentType;
  },

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    httpDuration.observe({ method, route, status: String(status) }, seconds);
  },

  busRequest(subject: string, outcome: string, seconds: number): void {
    busRequestDuration.observe({ subject, outcome }, seconds);
  },

  busHandled(subject: string, outcome: string, seconds: number): void {
    busHandlerDuration.observe({ subject, outcome }, seconds);
  },

  runEnded(kind: string, status: string, seconds: number | undefined): void {
    runsEnded.inc({ kind, status });
    if (seconds !== undefined && seconds >= 0) runDuration.observe({ kind, status }, seconds);
  },

  modelCall(provider: string, modelName: string, outcome: 'ok' | 'error', usage?: { inputTokens: number; outputTokens: number; costUsd: number }): void {
    const model = boundedModel(provider, modelName);
    modelCalls.inc({ provider, model, outcome });
    if (!usage) return;
    if (usage.inputTokens > 0) modelTokens.inc({ provider, model, type: 'input' }, usage.inputTokens);
    if (usage.outputTokens > 0) modelTokens.inc({ provider, model, type: 'output' }, usage.outputTokens);
    if (usage.costUsd > 0) modelCost.inc({ provider, model }, usage.costUsd);
  },

  /** The run queue (the execution service): depth and age of the oldest waiting run, per kind. */
  watchRunQueue(key: string, sample: () => Promise<Array<{ kind: string; depth: number; oldestAgeSeconds: number }>>): () => void {
    const cached = memoize(sample);
    const stops = [
      queueDepth.watch(key, async () => (await cached()).map((q) => ({ labels: { kind: q.kind }, value: q.depth }))),
      queueOldestAge.watch(key, async () => (await cached()).map((q) => ({ labels: { kind: q.kind }, value: q.oldestAgeSeconds }))),
    ];
    return () => stops.forEach((stop) => stop());
  },

  /** One service's outbox: how many events wait to be published and how old the oldest is. */
  watchOutbox(service: string, sample: () => Promise<{ pending: number; oldestAgeSeconds: number }>): () => void {
    const cached = memoize(sample);
    const stops = [
      outboxPending.watch(service, async () => [{ labels: { service }, value: (await cached()).pending }]),
      outboxLag.watch(service, async () => [{ labels: { service }, value: (await cached()).oldestAgeSeconds }]),
    ];
    return () => stops.forEach((stop) => stop());
  },

  /** The integration service's MCP servers, counted by their last health check. */
  watchMcpServers(key: string, sample: () => Promise<Array<{ health: string; count: number }>>): () => void {
    return mcpServers.watch(key, async () => (await sample()).map((s) => ({ labels: { health: s.health }, value: s.count })));
  },
};

/**
 * Model names come from agents' settings: the first MAX_MODELS_PER_PROVIDER seen per provider keep
 * their name and any later one counts as `other`, so no setting can grow the series without bound.
 */
const MAX_MODELS_PER_PROVIDER = 50;
const seenModels = new Map<string, Set<string>>();

function boundedModel(provider: string, model: string): string {
  let seen = seenModels.get(provider);
  if (!seen) seenModels.set(provider, (seen = new Set()));
  if (seen.has(model)) return model;
  if (seen.size >= MAX_MODELS_PER_PROVIDER || model.length > 100) return 'other';
  seen.add(model);
  return model;
}

/** One database read serves the gauges of one scrape that share it. */
function memoize<T>(sample: () => Promise<T>, ttlMs = 1000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ttlMs) {
      last = { at: Date.now(), value: sample() };
      last.value.catch(() => (last = undefined));
    }
    return last.value;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('sample timed out')), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
