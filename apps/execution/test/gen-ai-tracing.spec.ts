import { randomUUID } from 'node:crypto';
import { AccountContracts, type AgentSnapshot, ConfigCacheContracts, type Envelope, RunContracts, serviceActor } from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { SpanKind, startTracing, Tracing } from '#observability';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, FakeOpenAiServer, OtlpReceiver, type ReceivedSpan } from '#testing';
import { executionApp } from '../src/execution.app.js';
import { type RunEntity, RunEngineService } from '../src/run-engine/run-engine.service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The execution service in this process on the in-process bus (as in single-process mode), with
 * tracing exported over OTLP/HTTP JSON to a receiver here and prompt/answer capture turned on
 * (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true): a run queued inside a span continues
 * that span's trace, with GenAI spans for the agent, its model calls and its tool call carrying
 * the content, and a bus request carries the trace to its handler without NATS.
 */
describe('GenAI spans of an agent run, content capture on, in process', () => {
  let fake: FakeOpenAiServer;
  let collector: OtlpReceiver;
  let runtime: Runtime;
  let service: RunningService;
  let queue: RunEngineService;
  let stopTracing: (() => Promise<void>) | undefined;
  const stops: Array<() => void> = [];
  const agents = new Map<string, { ownerId: string; snapshot: AgentSnapshot }>();
  const ENV = { OPENAI_API_KEY: 'sk-tracing', EXECUTION_POLL_MS: '100', EXECUTION_MODEL_MAX_RETRIES: '0' };

  const waitFor = async (runId: string): Promise<RunEntity> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const run = await queue.get(runId);
      if (run && ['completed', 'failed'].includes(run.status)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} is still ${run?.status ?? 'missing'}`);
      await sleep(20);
    }
  };

  beforeAll(async () => {
    [fake, collector] = await Promise.all([FakeOpenAiServer.start(), OtlpReceiver.start()]);
    Object.assign(process.env, { ...ENV, OPENAI_BASE_URL: fake.baseUrl });
    stopTracing = await startTracing('execution', {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    });
    const bus = InProcessBus.shared();
    stops.push(
      bus.respond(ConfigCacheContracts.resolve.subject, async (raw) => {
        const { data } = raw as Envelope<{ agentId: string; version?: number }>;
        const agent = agents.get(data.agentId);
        if (!agent) return { ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } };
        return { ok: true, data: { agentId: data.agentId, ownerId: agent.ownerId, name: 'Reckoner', version: 1, snapshot: agent.snapshot } };
      }),
      bus.respond(AccountContracts.revealProviderKey.subject, async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'provider key not found' } })),
    );
    const databaseUrl = await createTestDatabase('genai_tracing');
    runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false }, 'genai-tracing-spec');
    service = await startBusService(executionApp, runtime);
    queue = service.app.get(RunEngineService);
  });

  afterAll(async () => {
    for (const stop of stops) stop();
    await service?.close();
    await runtime?.close();
    await stopTracing?.();
    await Promise.all([fake?.stop(), collector?.stop()]);
    for (const key of [...Object.keys(ENV), 'OPENAI_BASE_URL']) delete process.env[key];
  });

  it('is on: the SDK started and spans are recorded', () => {
    expect(Tracing.enabled).toBe(true);
    expect(Tracing.captureContent).toBe(true);
  });

  it('continues the trace that queued the run: invoke_agent, chat with usage and content, execute_tool with arguments and result', async () => {
    const owner = randomUUID();
    const agentId = randomUUID();
    agents.set(agentId, {
      ownerId: owner,
      snapshot: {
        agentType: 'assistive',
        modelProvider: 'openai',
        modelName: 'gpt-4o-mini',
        systemPrompt: 'Count carefully.',
        tools: [{ kind: 'builtin', name: 'calculator' }],
        knowledgeBaseIds: [],
        memory: { strategy: 'none' },
        configuration: {},
      } as AgentSnapshot,
    });
    fake.replyToolCalls([{ id: 'call_7', name: 'calculator', arguments: { expression: '12 * 12' } }], { usage: { promptTokens: 11, completionTokens: 3 } });
    fake.replyText('A gross: 144.', { usage: { promptTokens: 17, completionTokens: 5 } });
    let queuedIn = '';
    const run = await Tracing.inSpan('POST /api/v1/agents/:id/runs', { kind: SpanKind.SERVER }, async (span) => {
      queuedIn = span?.spanContext().spanId ?? '';
      // The version resolved when queued travels with the run, as the runs service sends it: its name names the span.
      const targetSnapshot = { agentId, ownerId: owner, name: 'Reckoner', version: 1, snapshot: agents.get(agentId)?.snapshot };
      return (await queue.enqueue({ ownerId: owner, target: { kind: 'agent', agentId, agentVersion: 1 }, input: { message: 'How many is a gross?' }, targetSnapshot })).run;
    });
    expect((await waitFor(run.id)).status).toBe('completed');
    expect(run.traceParent).toMatch(new RegExp(`^00-[0-9a-f]{32}-${queuedIn}-01$`));
    const traceId = run.traceParent?.split('-')[1] as string;

    const spans = await eventuallySpans(collector, traceId, (s) => s.filter((x) => x.name === 'chat gpt-4o-mini').length === 2 && s.some((x) => x.name === 'execute_tool calculator') && s.some((x) => x.name.startsWith('invoke_agent')));
    const invoke = only(spans, 'invoke_agent Reckoner');
    expect(invoke.parentSpanId).toBe(queuedIn);
    expect(invoke.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': agentId, 'gen_ai.agent.name': 'Reckoner', 'run.id': run.id });
    const [first, second] = spans.filter((s) => s.name === 'chat gpt-4o-mini');
    for (const chat of [first, second]) expect(chat.parentSpanId).toBe(invoke.spanId);
    expect(first.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 3, 'gen_ai.response.finish_reasons': ['tool_calls'] });
    expect(String(first.attributes['gen_ai.input.messages'])).toContain('How many is a gross?');
    expect(String(second.attributes['gen_ai.output.messages'])).toContain('A gross: 144.');
    const tool = only(spans, 'execute_tool calculator');
    expect(tool.parentSpanId).toBe(invoke.spanId);
    expect(tool.attributes).toMatchObject({ 'gen_ai.tool.call.id': 'call_7', 'gen_ai.tool.call.arguments': '{"expression":"12 * 12"}', 'gen_ai.tool.call.result': '144' });
  });

  it('carries the trace through the in-process bus to the handler of a request', async () => {
    let clientTrace = '';
    const res = await Tracing.inSpan('caller', {}, async (span) => {
      clientTrace = span?.spanContext().traceId ?? '';
      return runtime.client.request(RunContracts.get, { id: randomUUID() }, { actor: serviceActor('gateway') }).catch((err: unknown) => err);
    });
    expect(res).toBeInstanceOf(Error);
    const spans = await eventuallySpans(collector, clientTrace, (s) => s.some((x) => x.name === 'execution.runs.get' && x.kind === 2));
    const client = spans.find((s) => s.name === 'execution.runs.get' && s.kind === 3) as ReceivedSpan;
    const server = spans.find((s) => s.name === 'execution.runs.get' && s.kind === 2) as ReceivedSpan;
    expect(server.parentSpanId).toBe(client.spanId);
    expect(server.attributes['error.type']).toBeTruthy();
  });
});

async function eventuallySpans(collector: OtlpReceiver, traceId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const spans = collector.trace(traceId);
    if (done(spans)) return spans;
    if (Date.now() > until) throw new Error(`trace ${traceId} incomplete: ${spans.map((s) => s.name).join(', ')}`);
    await sleep(50);
  }
}

function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0];
}
