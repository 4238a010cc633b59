import { randomUUID } from 'node:crypto';
import { loadConfig } from '#config';
import { type HealthListener, openHealthListener, type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, testEnv, uniqueNamespace } from '#testing';
import { executionApp } from '../src/execution.app.js';
import { RunEngineService } from '../src/run-engine/run-engine.service.js';

interface Sample {
  name: string;
  labels: string;
  value: number;
}

function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      return { name: match[1], labels: match[2] ?? '', value: Number(match[3]) };
    });
}

const valueOf = (samples: Sample[], name: string, labels: string): number | undefined => samples.find((s) => s.name === name && s.labels === labels)?.value;

/**
 * The run queue's and the outbox's gauges, read from the database at scrape time, through the
 * health listener's /metrics as Prometheus scrapes it. No worker runs here
 * (EXECUTION_WORKER_CONCURRENCY=0) and the outbox relay is off, so what waits stays waiting.
 */
describe('run queue and outbox metrics on the health listener', () => {
  let runtime: Runtime;
  let service: RunningService;
  let listener: HealthListener;
  let port: number;
  let engine: RunEngineService;

  const scrape = async (): Promise<Sample[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    return parse(await res.text());
  };
  const enqueue = (kind: 'agent' | 'workflow') =>
    engine.enqueue({
      ownerId: randomUUID(),
      target: kind === 'agent' ? { kind, agentId: randomUUID(), agentVersion: 1 } : { kind, workflowId: randomUUID(), workflowVersion: 1 },
      input: {},
    });

  beforeAll(async () => {
    process.env.EXECUTION_WORKER_CONCURRENCY = '0';
    const databaseUrl = await createTestDatabase('runmetrics');
    const config = { ...loadConfig({}), databaseUrl, natsUrl: testEnv().natsUrl, busNamespace: uniqueNamespace('runmetrics'), outboxRelay: false, healthPort: 0, host: '127.0.0.1' };
    runtime = await Runtime.create(config, 'execution-metrics');
    service = await startBusService(executionApp, runtime);
    engine = service.app.get(RunEngineService);
    listener = (await openHealthListener(config, () => ({ status: 200, body: { status: 'ok' } }))) as HealthListener;
    port = listener.port as number;
  });

  afterAll(async () => {
    delete process.env.EXECUTION_WORKER_CONCURRENCY;
    await listener?.close();
    await service?.close();
    await runtime?.close();
  });

  it('shows every kind at zero while nothing waits', async () => {
    const samples = await scrape();
    expect(valueOf(samples, 'runs_queue_depth', '{kind="agent"}')).toBe(0);
    expect(valueOf(samples, 'runs_queue_depth', '{kind="workflow"}')).toBe(0);
    expect(valueOf(samples, 'runs_queue_oldest_age_seconds', '{kind="agent"}')).toBe(0);
    expect(valueOf(samples, 'outbox_pending_events', '{service="execution"}')).toBe(0);
    expect(valueOf(samples, 'outbox_lag_seconds', '{service="execution"}')).toBe(0);
  });

  it('counts waiting runs per kind and ages the oldest', async () => {
    await enqueue('agent');
    await enqueue('agent');
    await enqueue('workflow');
    await new Promise((r) => setTimeout(r, 1100));
    const samples = await scrape();
    expect(valueOf(samples, 'runs_queue_depth', '{kind="agent"}')).toBe(2);
    expect(valueOf(samples, 'runs_queue_depth', '{kind="workflow"}')).toBe(1);
    expect(valueOf(samples, 'runs_queue_oldest_age_seconds', '{kind="agent"}')).toBeGreaterThanOrEqual(1);
  });

  it('counts a cancelled run as ended and its unpublished event as outbox lag', async () => {
    const before = await scrape();
    const { run } = await enqueue('agent');
    await engine.requestCancel(run.id);
    await new Promise((r) => setTimeout(r, 1100));
    const after = await scrape();
    const ended = (s: Sample[]) => valueOf(s, 'runs_ended_total', '{kind="agent",status="cancelled"}') ?? 0;
    expect(ended(after) - ended(before)).toBe(1);
    expect(valueOf(after, 'outbox_pending_events', '{service="execution"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'outbox_lag_seconds', '{service="execution"}')).toBeGreaterThanOrEqual(1);
    // The cancelled run no longer waits.
    expect(valueOf(after, 'runs_queue_depth', '{kind="agent"}')).toBe(2);
  });
});
