import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import {
  AccountContracts,
  type Actor,
  type AgentSnapshot,
  ConfigCacheContracts,
  type Envelope,
  type LiveRunEvent,
  MemoryContracts,
  RUN_EVENT_STREAM_PREFIX,
  RunContracts,
  RunWriteContracts,
  type StartRunRequest,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, FakeAnthropicServer, FakeOpenAiServer, query } from '#testing';
import { type AgentRunInput, toolStepKey } from '../src/agent-loop/agent-loop.service.js';
import { executionApp } from '../src/execution.app.js';
import { EphemeralKeys } from '../src/run-engine/ephemeral-keys.js';
import { type RunEntity, RunEngineService, type RunLimits } from '../src/run-engine/run-engine.service.js';
import { RunEventsCompaction } from '../src/run-events/run-events-compaction.js';
import { RunEventsService } from '../src/run-events/run-events.service.js';
import { outcomeOf } from './support/execution-spec.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A conversation the stand-in conversation service says does not exist (deleted after the run was queued). */
const GONE_CONVERSATION = randomUUID();

/**
 * The agent loop against a fake OpenAI-compatible server over real HTTP, with the queue and
 * workers on the real database. The agent, conversation and identity services are stand-ins on
 * the in-process bus that answer like the real ones and record what the run asked of them.
 */
describe('agent runs', () => {
  let fake: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let runtime: Runtime;
  let service: RunningService;
  let queue: RunEngineService;
  let databaseUrl: string;
  let closedPort: number;
  const stops: Array<() => void> = [];
  const agents = new Map<string, { ownerId: string; snapshot: AgentSnapshot }>();
  const storedKeys = new Map<string, string>();
  /** runId -> the request id the run's call to the conversation service carried. */
  const requestIds = new Map<string, string | undefined>();
  const userMessages: Array<{ runId: string; step: number; content: string }> = [];
  const appended: Array<{ runId: string; parentId?: string; messages: Array<{ step: number; role: string; content: string; toolCallId?: string }> }> = [];

  const ENV = {
    OPENAI_BASE_URL: '',
    OPENAI_API_KEY: 'sk-platform-env-key',
    ANTHROPIC_BASE_URL: '',
    ANTHROPIC_API_KEY: 'sk-ant-platform-env-key',
    EXECUTION_WORKER_CONCURRENCY: '4',
    EXECUTION_LEASE_MS: '1000',
    EXECUTION_HEARTBEAT_MS: '200',
    EXECUTION_POLL_MS: '200',
    EXECUTION_MAX_ATTEMPTS: '2',
    EXECUTION_RETRY_DELAY_MS: '50',
    EXECUTION_MODEL_MAX_RETRIES: '0',
    EXECUTION_HTTP_TOOL_ALLOWLIST: '',
  };

  const newAgent = (ownerId: string, overrides: Partial<AgentSnapshot> = {}): string => {
    const id = randomUUID();
    agents.set(id, {
      ownerId,
      snapshot: {
        agentType: 'assistive',
        modelProvider: 'openai',
        modelName: 'gpt-4o-mini',
        systemPrompt: 'You help {{name}}.',
        tools: [{ kind: 'builtin', name: 'calculator' }, { kind: 'builtin', name: 'current_time' }],
        knowledgeBaseIds: [],
        memory: { strategy: 'window', size: 20 },
        configuration: {},
        ...overrides,
      },
    });
    return id;
  };
  const start = async (ownerId: string, agentId: string, input: AgentRunInput, extra: { limits?: RunLimits; conversationId?: string; traceId?: string } = {}): Promise<RunEntity> =>
    (await queue.enqueue({ ownerId, target: { kind: 'agent', agentId, agentVersion: 1 }, input, ...extra })).run;
  const waitFor = async (runId: string, done: (run: RunEntity) => boolean = (r) => ['completed', 'failed', 'cancelled', 'expired', 'requires_action'].includes(r.status), timeoutMs = 10_000): Promise<RunEntity> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const run = await queue.get(runId);
      if (run && done(run)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} is still ${run?.status ?? 'missing'}`);
      await sleep(20);
    }
  };
  /** The run's stored events, without waiting. */
  const readEvents = (runId: string) => service.app.get(RunEventsService).read(runId, 0, 0);
  const steps = async (runId: string) => (await queue.steps(runId)).map((s) => ({ key: s.key, type: s.type, status: s.status }));

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    anthropic = await FakeAnthropicServer.start();
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    Object.assign(process.env, { ...ENV, OPENAI_BASE_URL: fake.baseUrl, ANTHROPIC_BASE_URL: anthropic.baseUrl, EXECUTION_HTTP_TOOL_ALLOWLIST: `127.0.0.1:${closedPort}` });

    const bus = InProcessBus.shared();
    stops.push(
      bus.respond(ConfigCacheContracts.resolve.subject, async (raw) => {
        const { data } = raw as Envelope<{ agentId: string; version?: number }>;
        const agent = agents.get(data.agentId);
        if (!agent) return { ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } };
        return { ok: true, data: { agentId: data.agentId, ownerId: agent.ownerId, name: 'Helper', version: data.version ?? 1, snapshot: agent.snapshot } };
      }),
      bus.respond(AccountContracts.revealProviderKey.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ userId: string; provider: string }>;
        if (actor.service !== 'execution') return { ok: false, error: { code: 'FORBIDDEN', message: 'only execution' } };
        const key = storedKeys.get(data.userId);
        return key ? { ok: true, data: { provider: data.provider, apiKey: key } } : { ok: false, error: { code: 'NOT_FOUND', message: 'provider key not found' } };
      }),
      bus.respond(RunWriteContracts.appendUserMessage.subject, async (raw) => {
        const { data, requestId } = raw as Envelope<{ runId: string; step: number; content: string; conversationId: string }>;
        requestIds.set(data.runId, requestId);
        if (data.conversationId === GONE_CONVERSATION) return { ok: false, error: { code: 'NOT_FOUND', message: 'conversation not found' } };
        userMessages.push({ runId: data.runId, step: data.step, content: data.content });
        return { ok: true, data: { id: `00000000-0000-4000-8000-${data.runId.slice(-12)}`, role: 'user', content: data.content } };
      }),
      bus.respond(MemoryContracts.get.subject, async (raw) => {
        const { data } = raw as Envelope<{ leafId: string }>;
        const message = userMessages.find((m) => `00000000-0000-4000-8000-${m.runId.slice(-12)}` === data.leafId);
        const earlier = [
          { id: randomUUID(), role: 'user', content: 'My name is Ada.', toolCalls: null, toolCallId: null },
          { id: randomUUID(), role: 'assistant', content: 'Hello Ada.', toolCalls: null, toolCallId: null },
        ];
        return { ok: true, data: { summary: null, messages: [...earlier, { id: data.leafId, role: 'user', content: message?.content ?? '', toolCalls: null, toolCallId: null }], estimatedTokens: 10, truncated: false } };
      }),
      bus.respond(RunWriteContracts.appendMessages.subject, async (raw) => {
        const { data } = raw as Envelope<(typeof appended)[number]>;
        appended.push(data);
        return { ok: true, data: { items: data.messages.map(() => ({ id: randomUUID() })) } };
      }),
    );

    databaseUrl = await createTestDatabase('agent_runs');
    // http_get reaches a closed local port on purpose: the operator allows that address (OUTBOUND_INTERNAL_ALLOWLIST).
    runtime = await Runtime.create({ ...loadConfig({ OUTBOUND_INTERNAL_ALLOWLIST: `127.0.0.1:${closedPort}` }), databaseUrl, outboxRelay: false }, 'agent-runs-spec');
    service = await startBusService(executionApp, runtime);
    queue = service.app.get(RunEngineService);
  });

  afterAll(async () => {
    for (const stop of stops) stop();
    await service?.close();
    await runtime?.close();
    await fake?.stop();
    await anthropic?.stop();
    for (const key of Object.keys(ENV)) delete process.env[key];
  });

  beforeEach(() => fake.reset());

  it('answers with the streamed text, stored as token events, with usage and cost on the step and the run', async () => {
    const owner = randomUUID();
    fake.replyText(['The answer ', 'is ', '42.'], { usage: { promptTokens: 1000, completionTokens: 200 } });
    const run = await start(owner, newAgent(owner), { message: 'What is the answer?', variables: { name: 'Ada' } });
    const done = await waitFor(run.id);
    expect(done).toMatchObject({ status: 'completed', output: { content: 'The answer is 42.' }, outputPartial: false });
    // gpt-4o-mini: 0.15 $ per million prompt tokens, 0.6 $ per million completion tokens.
    expect(done.usage).toEqual({ promptTokens: 1000, completionTokens: 200, costMicros: 150 + 120 });
    expect(await steps(run.id)).toEqual([{ key: 'llm:1', type: 'llm_call', status: 'completed' }]);
    const events = await readEvents(run.id);
    const tokens = events.filter((e) => e.type === 'token').map((e) => (e.data as { text: string }).text);
    expect(tokens.join('')).toBe('The answer is 42.');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'run.completed' });
    const sent = fake.completions[0].body;
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'You help Ada.' });
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'What is the answer?' });
    expect(sent.tools.map((t: { function: { name: string } }) => t.function.name).sort()).toEqual(['calculator', 'current_time']);
    expect(fake.completions[0].headers.authorization).toBe('Bearer sk-platform-env-key');
  });

  it("publishes every stored event live on its owner's and run's subject, as stored, once committed", async () => {
    const owner = randomUUID();
    const heard: LiveRunEvent[] = [];
    const stop = runtime.createBroadcast().subscribe<LiveRunEvent>(`${RUN_EVENT_STREAM_PREFIX}.${owner}.*`, (event) => heard.push(event));
    try {
      fake.replyText(['Live ', 'and ', 'stored.']);
      const run = await start(owner, newAgent(owner), { message: 'Say it' });
      await waitFor(run.id);
      const stored = (await readEvents(run.id)).map((e) => ({ runId: run.id, seq: e.seq, type: e.type, data: e.data, createdAt: e.createdAt.toISOString() }));
      // The run's end is published after its commit: give it a moment.
      for (let i = 0; i < 50 && !heard.some((e) => e.type === 'run.completed'); i++) await sleep(20);
      const bySeq = new Map(heard.map((e) => [e.seq, e]));
      expect([...bySeq.values()].sort((a, b) => a.seq - b.seq)).toEqual(stored);
      expect(heard.every((e) => e.runId === run.id)).toBe(true);
    } finally {
      stop();
    }
  });

  it('runs the loop model -> tool -> model, each call a step, and the model reads the tool result', async () => {
    const owner = randomUUID();
    fake.replyToolCalls([{ id: 'call_calc', name: 'calculator', arguments: { expression: '6 * 7' } }]).replyText('It is 42.');
    const run = await start(owner, newAgent(owner), { message: 'What is six times seven?' });
    const done = await waitFor(run.id);
    expect(done).toMatchObject({ status: 'completed', output: { content: 'It is 42.' } });
    expect(await steps(run.id)).toEqual([
      { key: 'llm:1', type: 'llm_call', status: 'completed' },
      { key: 'tool:call_calc', type: 'tool', status: 'completed' },
      { key: 'llm:2', type: 'llm_call', status: 'completed' },
    ]);
    // Each step's end goes with what follows it (the next step's start, the run's end): the
    // stream still has every step's events, numbered in the order they happened.
    const events = await readEvents(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const stepEvents = events.filter((e) => e.type.startsWith('step.')).map((e) => `${e.type} ${(e.data as { key: string }).key}`);
    expect(stepEvents).toEqual([
      'step.started llm:1',
      'step.completed llm:1',
      'step.started tool:call_calc',
      'step.completed tool:call_calc',
      'step.started llm:2',
      'step.completed llm:2',
    ]);
    expect(events.at(-1)?.type).toBe('run.completed');
    const second = fake.completions[1].body.messages;
    expect(second.at(-1)).toEqual({ role: 'tool', content: '42', tool_call_id: 'call_calc' });
    expect(second.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_calc', function: { name: 'calculator' } }] });
  });

  it('drops the token events of runs ended before the retention period, keeping the output and every other event', async () => {
    const owner = randomUUID();
    fake.replyText(['Kept ', 'in ', 'the ', 'output.']);
    const run = await start(owner, newAgent(owner), { message: 'Say it' });
    await waitFor(run.id);
    const before = await readEvents(run.id);
    const compaction = service.app.get(RunEventsCompaction);
    await compaction.compact(new Date());
    expect(await readEvents(run.id)).toEqual(before); // within retention (30 days): nothing goes
    expect(await compaction.compact(new Date(Date.now() + 31 * 86_400_000))).toBeGreaterThanOrEqual(1);
    const after = await readEvents(run.id);
    expect(after.map((e) => e.type)).toEqual(before.filter((e) => e.type !== 'token').map((e) => e.type));
    expect(after.map((e) => e.seq)).toEqual(before.filter((e) => e.type !== 'token').map((e) => e.seq)); // numbers never change
    expect((await queue.get(run.id))?.output).toEqual({ content: 'Kept in the output.' });
  });

  it('tells the model about bad arguments and unknown tools instead of failing the run', async () => {
    const owner = randomUUID();
    fake
      .replyToolCalls([
        { id: 'call_bad', name: 'calculator', arguments: { expression: '1 +' } },
        { id: 'call_none', name: 'teleport', arguments: {} },
      ])
      .replyText('Sorry.');
    const run = await start(owner, newAgent(owner), { message: 'Try things' });
    expect(await waitFor(run.id)).toMatchObject({ status: 'completed' });
    const tools = fake.completions[1].body.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(tools).toHaveLength(2);
    expect(tools[0].content).toMatch(/^Error: /);
    expect(tools[1].content).toBe('Error: there is no tool named "teleport"');
  });

  it('fails the run when a tool throws, with the error on its step', async () => {
    const owner = randomUUID();
    fake.replyToolCalls([{ id: 'call_http', name: 'http_get', arguments: { url: `http://127.0.0.1:${closedPort}/` } }]).replyText('never');
    const run = await start(owner, newAgent(owner, { tools: [{ kind: 'builtin', name: 'http_get' }] }), { message: 'Fetch it' });
    const done = await waitFor(run.id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'TOOL_FAILED', tool: 'http_get' } });
    const step = (await queue.steps(run.id)).find((s) => s.key === 'tool:call_http');
    expect(step).toMatchObject({ status: 'failed', error: { code: 'STEP_FAILED' } });
    expect(step?.error?.message).toBeTruthy();
    expect(fake.completions).toHaveLength(1);
  });

  it('pauses on a client-side tool and continues with the result the caller brings', async () => {
    const owner = randomUUID();
    fake.replyToolCalls([{ id: 'call_order', name: 'lookup_order', arguments: { orderId: 'A-1' } }]).replyText('Your order ships today.');
    const clientTools = [{ name: 'lookup_order', description: 'Looks an order up', parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] } }];
    const run = await start(owner, newAgent(owner), { message: 'Where is order A-1?', clientTools });
    const parked = await waitFor(run.id);
    expect(parked).toMatchObject({
      status: 'requires_action',
      requiredAction: { type: 'client_tool_calls', toolCalls: [{ id: 'call_order', name: 'lookup_order', arguments: '{"orderId":"A-1"}' }] },
    });
    await queue.resume(run.id, [{ stepKey: toolStepKey('call_order'), stepName: 'lookup_order', output: { result: 'shipping today' } }], owner);
    const done = await waitFor(run.id, (r) => r.status === 'completed');
    expect(done.output).toEqual({ content: 'Your order ships today.' });
    expect(fake.completions).toHaveLength(2); // the first model call was not repeated after the pause
    expect(fake.completions[1].body.messages.at(-1)).toEqual({ role: 'tool', content: 'shipping today', tool_call_id: 'call_order' });
  });

  it.each([
    ['maxSteps', { maxSteps: 1 }],
    ['maxTokens', { maxTokens: 50 }],
    ['budget', { budgetMicros: 1 }],
  ] as const)('ends the run failed with LIMIT_EXCEEDED when the next model call would pass %s', async (limit, limits) => {
    const owner = randomUUID();
    fake.replyToolCalls([{ id: 'call_t', name: 'current_time', arguments: {} }], { usage: { promptTokens: 1000, completionTokens: 100 } }).replyText('never');
    const run = await start(owner, newAgent(owner), { message: 'Loop' }, { limits });
    const done = await waitFor(run.id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'LIMIT_EXCEEDED', limit } });
    expect(fake.completions).toHaveLength(1);
  });

  it.each([
    ['answers 500', () => fake.replyError(500, 'upstream exploded')],
    ['answers garbage', () => fake.reply({ kind: 'garbage', body: '<html>not json</html>', contentType: 'text/html' })],
  ])('fails the run with the provider error summarised when the provider %s, and the worker runs the next one', async (_, script) => {
    const owner = randomUUID();
    script();
    const run = await start(owner, newAgent(owner), { message: 'Hi' });
    const done = await waitFor(run.id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_ERROR' } });
    expect(done.error?.message).toMatch(/^openai /);
    expect(JSON.stringify(done.error)).not.toContain('sk-platform-env-key');
    fake.replyText('Fine now.');
    const next = await start(owner, newAgent(owner), { message: 'Again' });
    expect(await waitFor(next.id)).toMatchObject({ status: 'completed', output: { content: 'Fine now.' } });
  });

  it('cancels within a second during a slow stream: the provider request is dropped and the partial answer kept', async () => {
    const owner = randomUUID();
    fake.replyText(Array.from({ length: 50 }, (_, i) => `w${i} `), { chunkDelayMs: 150 });
    const run = await start(owner, newAgent(owner), { message: 'Talk slowly' });
    await waitFor(run.id, () => true);
    await fake.waitForCompletions(1);
    const request = fake.completions[0];
    for (let i = 0; i < 100 && request.chunksSent < 3; i++) await sleep(20);
    const asked = Date.now();
    await queue.requestCancel(run.id, owner);
    const done = await waitFor(run.id, (r) => r.status === 'cancelled', 2000);
    expect(Date.now() - asked).toBeLessThan(1000);
    await fake.waitForDisconnect(request);
    expect(Date.now() - asked).toBeLessThan(1500);
    expect(request.finished).toBe(false);
    expect(done.outputPartial).toBe(true);
    expect((done.output as { content: string }).content).toMatch(/^w0 w1 /);
    expect(await steps(run.id)).toEqual([{ key: 'llm:1', type: 'llm_call', status: 'abandoned' }]);
  });

  describe('a run started while it is written (the run API, an owner far from the cap)', () => {
    const newUser = (): Actor & { userId: string } => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
    const startRun = (actor: Actor, agentId: string, input: string) =>
      runtime.client.request(RunContracts.start, { agentId, input } as StartRunRequest, { actor, timeoutMs: 20_000 });
    const runsOf = async (ownerId: string) => (await query<{ n: number }>(databaseUrl, `SELECT count(*)::int AS n FROM execution.runs WHERE owner_id = $1`, [ownerId]))[0].n;
    /** The model server's `count`th call, within five seconds (a start that waits for its insert first never makes it). */
    const callNumber = async (count: number) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no model call number ${count} while the insert waited`)), 5000);
      });
      try {
        await Promise.race([fake.waitForCompletions(count), late]);
      } finally {
        clearTimeout(timer);
      }
      return fake.completions[count - 1];
    };
    /** Takes the owner's turn as another start of theirs deciding would: their next insert waits until `release`. */
    const holdTurn = async (ownerId: string) => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query('BEGIN');
      await client.query(`SELECT execution.active_runs_after_lock($1, $2)`, [`execution.runs.owner:${ownerId}`, ownerId]);
      return {
        client,
        release: async () => {
          await client.query('COMMIT');
          await client.end();
        },
      };
    };

    it('sends the first model call while the insert waits for its turn, and stores the run whole and in order once written', async () => {
      const actor = newUser();
      const agentId = newAgent(actor.userId, { tools: [], memory: { strategy: 'none' } });
      fake.setDefaultReply({ kind: 'text', text: ['Hello ', 'there.'] });
      // The owner's first start here learns how many runs they have; it waits for its insert.
      const first = await startRun(actor, agentId, 'first');
      expect(await waitFor(first.id)).toMatchObject({ status: 'completed' });
      expect(fake.completions).toHaveLength(1);

      const turn = await holdTurn(actor.userId);
      let answered = false;
      const starting = startRun(actor, agentId, 'second').finally(() => (answered = true));
      const call = await callNumber(2);
      // The call is out; the run is not written and the start has not answered.
      expect(call.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'second' });
      expect(answered).toBe(false);
      expect(await runsOf(actor.userId)).toBe(1);
      // The whole answer is in before the run is written: the step's start could not be sent before
      // it, and goes with the step's end and the run's end.
      for (let i = 0; i < 250 && !call.finished; i++) await sleep(20);
      expect(call.finished).toBe(true);
      await sleep(100); // and read to its end by the run
      const releasedAt = Date.now();
      await turn.release();

      const second = await starting;
      const done = await waitFor(second.id);
      expect(done).toMatchObject({ status: 'completed', output: { content: 'Hello there.' }, attempt: 1, failureCount: 0 });
      expect(fake.completions).toHaveLength(2);
      expect(await steps(second.id)).toEqual([{ key: 'llm:1', type: 'llm_call', status: 'completed' }]);
      // The run's usage is its step's, counted at its end.
      const [step] = await queue.steps(second.id);
      expect(step.usage.promptTokens).toBeGreaterThan(0);
      expect(done.usage).toEqual({ promptTokens: step.usage.promptTokens, completionTokens: step.usage.completionTokens, costMicros: step.usage.costMicros });
      // Its start, written after the release, is stamped with when the step began: before it.
      expect(step.startedAt.getTime()).toBeLessThan(releasedAt);
      expect(step.startedAt.getTime()).toBeLessThanOrEqual(step.completedAt!.getTime());
      expect(step.completedAt!.getTime()).toBeLessThanOrEqual(done.completedAt!.getTime());
      const events = await readEvents(second.id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const types = events.map((e) => e.type);
      expect(types.slice(0, 3)).toEqual(['run.queued', 'run.started', 'step.started']);
      expect(types.slice(-2)).toEqual(['step.completed', 'run.completed']);
      expect(new Set(types.slice(3, -2))).toEqual(new Set(['token']));
    });

    it('stops the call it began when the cap refuses the run, leaves nothing of it, and begins no later start before it is written', async () => {
      const actor = newUser();
      const agentId = newAgent(actor.userId, { tools: [], memory: { strategy: 'none' } });
      fake.setDefaultReply({ kind: 'text', text: ['ok'] });
      const first = await startRun(actor, agentId, 'first');
      await waitFor(first.id);

      // While the next start waits for the turn, ten runs of the owner's are committed (queued for
      // later, so no worker takes them): with them the owner is at the cap of 10.
      const turn = await holdTurn(actor.userId);
      await turn.client.query(
        `INSERT INTO execution.runs (id, owner_id, kind, agent_id, agent_version, timeout_ms, available_at)
         SELECT gen_random_uuid(), $1, 'agent', $2, 1, 60000, now() + interval '1 hour' FROM generate_series(1, 10)`,
        [actor.userId, agentId],
      );
      fake.setDefaultReply({ kind: 'text', text: Array.from({ length: 20 }, (_, i) => `w${i} `), chunkDelayMs: 200 });
      const refused = outcomeOf(startRun(actor, agentId, 'one too many'));
      const call = await callNumber(2);
      await turn.release();
      expect(await refused).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 10 } });
      await fake.waitForDisconnect(call);
      expect(call.finished).toBe(false);
      // Nothing of the refused run: the owner's runs are the first and the ten, and only the first has steps.
      expect(await runsOf(actor.userId)).toBe(11);
      const [written] = await query<{ steps: number; events: number }>(
        databaseUrl,
        `SELECT (SELECT count(*)::int FROM execution.run_steps s JOIN execution.runs r ON r.id = s.run_id WHERE r.owner_id = $1) AS steps,
                (SELECT count(*)::int FROM execution.run_events e JOIN execution.runs r ON r.id = e.run_id WHERE r.owner_id = $1 AND r.id <> $2) AS events`,
        [actor.userId, first.id],
      );
      expect(written).toEqual({ steps: 1, events: 0 });

      // The refusal told this process the owner has no room: their next start waits for its insert first.
      await query(databaseUrl, `DELETE FROM execution.runs WHERE owner_id = $1 AND status = 'pending'`, [actor.userId]);
      fake.setDefaultReply({ kind: 'text', text: ['fine'] });
      const again = await holdTurn(actor.userId);
      const next = startRun(actor, agentId, 'next');
      await sleep(300);
      expect(fake.completions).toHaveLength(2);
      await again.release();
      expect(await waitFor((await next).id)).toMatchObject({ status: 'completed', output: { content: 'fine' } });
    });
  });

  it('in a conversation: writes the user message, reads the history, and writes the answer after the user message', async () => {
    const owner = randomUUID();
    const conversationId = randomUUID();
    fake.replyToolCalls([{ id: 'call_c', name: 'calculator', arguments: { expression: '2+2' } }]).replyText('Four, Ada.');
    const run = await start(owner, newAgent(owner), { message: 'What is 2+2?' }, { conversationId, traceId: 'trace-of-this-run' });
    const done = await waitFor(run.id);
    expect(done.status).toBe('completed');
    expect(userMessages.filter((m) => m.runId === run.id)).toEqual([{ runId: run.id, step: 0, content: 'What is 2+2?' }]);
    expect(requestIds.get(run.id)).toBe('trace-of-this-run'); // the run's calls carry its trace id as their request id
    expect(fake.completions[0].body.messages.slice(1)).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada.' },
      { role: 'user', content: 'What is 2+2?' },
    ]);
    const write = appended.find((a) => a.runId === run.id)!;
    expect(write.parentId).toBe(`00000000-0000-4000-8000-${run.id.slice(-12)}`);
    expect(write.messages.map((m) => [m.step, m.role, m.content])).toEqual([
      [1, 'assistant', ''],
      [2, 'tool', '4'],
      [3, 'assistant', 'Four, Ada.'],
    ]);
    expect((done.output as { messageId?: string }).messageId).toBeDefined();
    expect((done.output as { userMessageId?: string }).userMessageId).toBe(write.parentId);
  });

  it('runs the agent version it was queued with, without asking the agent service again', async () => {
    const owner = randomUUID();
    const agentId = newAgent(owner, { systemPrompt: 'Pinned prompt.' });
    const pinned = { agentId, ownerId: owner, name: 'Helper', version: 1, snapshot: agents.get(agentId)!.snapshot };
    agents.delete(agentId); // the agent service would now answer NOT_FOUND
    fake.replyText('From the pinned version.');
    const { run } = await queue.enqueue({ ownerId: owner, target: { kind: 'agent', agentId, agentVersion: 1 }, input: { message: 'Hi' }, targetSnapshot: pinned });
    expect(await waitFor(run.id)).toMatchObject({ status: 'completed', output: { content: 'From the pinned version.' } });
    expect(fake.completions[0].body.messages[0]).toEqual({ role: 'system', content: 'Pinned prompt.' });
  });

  it('fails at once, without retrying or calling the model, when its conversation is gone', async () => {
    const owner = randomUUID();
    const run = await start(owner, newAgent(owner), { message: 'Anyone there?' }, { conversationId: GONE_CONVERSATION });
    expect(await waitFor(run.id)).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'CONVERSATION_REFUSED', message: 'conversation not found' } });
    expect(fake.completions).toHaveLength(0);
  });

  it("uses a key sent with the request over the user's stored key, and the stored key over the platform's", async () => {
    const owner = randomUUID();
    storedKeys.set(owner, 'sk-user-stored-key');
    fake.replyText('stored').replyText('request');
    const first = await start(owner, newAgent(owner), { message: 'Hi' });
    await waitFor(first.id);
    expect(fake.completions[0].headers.authorization).toBe('Bearer sk-user-stored-key');

    // The start request hands the key to the worker in memory; the run row only says one was sent.
    const agentId = newAgent(owner);
    const { run } = await queue.enqueue({ ownerId: owner, target: { kind: 'agent', agentId, agentVersion: 1 }, input: { message: 'Hi', providerKeySent: true } });
    service.app.get(EphemeralKeys).put(run.id, 'sk-request-only-key', 60_000);
    await waitFor(run.id);
    expect(fake.completions[1].headers.authorization).toBe('Bearer sk-request-only-key');
    const stored = await query<{ row: string }>(databaseUrl, `SELECT row_to_json(r)::text AS row FROM execution.runs r WHERE id = $1`, [run.id]);
    expect(stored[0].row).not.toContain('sk-request-only-key');
    expect(service.app.get(EphemeralKeys).get(run.id)).toBeUndefined(); // forgotten once the run is done
  });

  it('fails clearly when the key sent with the request is no longer held by any worker', async () => {
    const owner = randomUUID();
    const run = await start(owner, newAgent(owner), { message: 'Hi', providerKeySent: true });
    expect(await waitFor(run.id)).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_KEY_UNAVAILABLE' } });
    expect(fake.completions).toHaveLength(0);
  });

  it('fails a run whose agent no longer exists, and one whose provider is not available here', async () => {
    const owner = randomUUID();
    const gone = await start(owner, randomUUID(), { message: 'Hi' });
    expect(await waitFor(gone.id)).toMatchObject({ status: 'failed', error: { code: 'AGENT_NOT_FOUND' } });
    const google = await start(owner, newAgent(owner, { modelProvider: 'google', modelName: 'gemini-2.5-pro' }), { message: 'Hi' });
    expect(await waitFor(google.id)).toMatchObject({ status: 'failed', error: { code: 'MODEL_NOT_CONFIGURED' } });
  });

  it('runs the same loop on Anthropic: a tool round trip, usage and cost from its prices', async () => {
    anthropic.reset();
    const owner = randomUUID();
    anthropic
      .replyToolUse([{ id: 'toolu_calc', name: 'calculator', input: { expression: '12 * 12' } }], { usage: { inputTokens: 100, outputTokens: 20 } })
      .replyText(['It is ', '144.'], { usage: { inputTokens: 150, outputTokens: 10 } });
    const run = await start(owner, newAgent(owner, { modelProvider: 'anthropic', modelName: 'claude-sonnet-4-5' }), { message: 'What is 12 squared?', variables: { name: 'Ada' } });
    const done = await waitFor(run.id);
    expect(done).toMatchObject({ status: 'completed', output: { content: 'It is 144.' } });
    // claude-sonnet-4-5: 3 $ per million prompt tokens, 15 $ per million completion tokens.
    expect(done.usage).toEqual({ promptTokens: 250, completionTokens: 30, costMicros: 750 + 450 });
    expect(await steps(run.id)).toEqual([
      { key: 'llm:1', type: 'llm_call', status: 'completed' },
      { key: 'tool:toolu_calc', type: 'tool', status: 'completed' },
      { key: 'llm:2', type: 'llm_call', status: 'completed' },
    ]);
    const [first, second] = anthropic.messages;
    expect(first.headers['x-api-key']).toBe('sk-ant-platform-env-key');
    expect(first.body.system).toEqual(expect.stringContaining('You help Ada.') as unknown);
    expect(JSON.stringify(second.body.messages)).toContain('"tool_use_id":"toolu_calc"');
    expect(fake.completions).toHaveLength(0);
  });
});
