import { randomBytes, randomUUID } from 'node:crypto';
import { Cluster, createTestDatabase, FakeOpenAiServer, type RecordedRequest, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';
import { idsOf, type SseEvent, SseReader } from './support/sse.js';
import { eventually, withTimeout } from './support/waits.js';

type Res = { status: number; headers: Headers; body: any; text: string };

const FINAL = ['completed', 'failed', 'cancelled', 'expired'];
const llm = (id: string, promptTemplate: string, output?: string) => ({
  id,
  type: 'llm',
  config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate, ...(output ? { output } : {}) },
});
/** The prompt a model request carried (its last message). */
const promptOf = (request: RecordedRequest) => String(request.body.messages.at(-1).content);

/**
 * Workflow runs through the gateway, every app its own process over the real NATS and PostgreSQL,
 * the model a fake OpenAI-compatible server on a real socket: the workflows are saved in the
 * workflow service and resolved by the execution service when a run starts.
 */
describe('workflow runs over NATS, every app its own process, against a fake model server', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;
  let stranger: TestUser;

  const api = () => cluster.api;
  const url = (path: string) => `${api().baseUrl}/api/v1${path}`;
  const post = (path: string, body: unknown, token = owner.accessToken, headers?: Record<string, string>): Promise<Res> => api().request('POST', `/api/v1${path}`, { body, token, headers });
  const get = (path: string, token = owner.accessToken): Promise<Res> => api().request('GET', `/api/v1${path}`, { token });
  const settled = (id: string) => eventually(() => get(`/runs/${id}`), (res) => res.status === 200 && [...FINAL, 'requires_action'].includes(res.body.status as string), 60_000);
  const events = async (id: string, headers?: Record<string, string>): Promise<SseEvent[]> => (await SseReader.open(url(`/runs/${id}/events`), { token: owner.accessToken, headers })).readAll();
  const nodeEvents = (list: SseEvent[]) => list.filter((e) => e.event.startsWith('node.')).map((e) => `${e.event}:${e.data.nodeId as string}`);
  const newWorkflow = async (definition: Record<string, unknown>, token = owner.accessToken): Promise<string> => {
    const res = await post('/workflows', { name: `wf-${randomUUID().slice(0, 8)}`, definition }, token);
    expect({ status: res.status, body: res.status === 201 ? 'created' : res.body }).toEqual({ status: 201, body: 'created' });
    return res.body.id as string;
  };

  /** start -> draft (llm) -> measure (transform) -> add (calculator tool) -> out: five nodes. */
  const fiveNodes = {
    inputs: [{ name: 'topic', type: 'string', required: true }],
    outputs: [{ name: 'draft', type: 'string' }, { name: 'sum', type: 'string' }],
    state: [
      { name: 'draft', type: 'string' },
      { name: 'size', type: 'number' },
      { name: 'sum', type: 'string' },
    ],
    nodes: [
      { id: 'start', type: 'start' },
      llm('draft', 'Write about {{ inputs.topic }}', 'draft'),
      { id: 'measure', type: 'transform', config: { set: { size: 'len(state.draft)' } } },
      { id: 'add', type: 'tool', config: { tool: { kind: 'builtin', name: 'calculator' }, arguments: { expression: '{{ state.size }} + 1' }, output: 'sum' } },
      { id: 'out', type: 'output', config: { values: { draft: 'state.draft', sum: 'state.sum' } } },
    ],
    edges: [
      { from: 'start', to: 'draft' },
      { from: 'draft', to: 'measure' },
      { from: 'measure', to: 'add' },
      { from: 'add', to: 'out' },
    ],
  };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('workflowruns'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('wfruns'),
      perApp: {
        identity: { ENCRYPTION_KEYS: `wfruns:${randomBytes(32).toString('base64')}` },
        execution: {
          ENCRYPTION_KEYS: `wfruns:${randomBytes(32).toString('base64')}`,
          OPENAI_BASE_URL: fake.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          EXECUTION_LEASE_MS: '2000',
          EXECUTION_HEARTBEAT_MS: '500',
          EXECUTION_POLL_MS: '300',
          EXECUTION_RETRY_DELAY_MS: '100',
          EXECUTION_MODEL_MAX_RETRIES: '0',
        },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
  });

  beforeEach(() => {
    fake.reset();
    fake.setDefaultReply((request) => ({ kind: 'text', text: `echo(${promptOf(request)})` }));
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  it('runs a five-node workflow: waits for its outputs, shows every node as a step, streams node events, and honours Idempotency-Key', async () => {
    const workflowId = await newWorkflow(fiveNodes);
    const res = await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 'tides' } });
    expect(res.status).toBe(200);
    const draft = 'echo(Write about tides)';
    expect(res.body).toMatchObject({ status: 'completed', workflowId, workflowVersion: 1, agentId: null, output: { draft, sum: String(draft.length + 1) } });
    const steps = await get(`/runs/${res.body.id as string}/steps`);
    expect(steps.body.items.filter((s: { key: string }) => !s.key.includes('/')).map((s: { key: string; status: string }) => [s.key, s.status])).toEqual(
      ['start', 'draft', 'measure', 'add', 'out'].map((id) => [`node:${id}:1`, 'completed']),
    );
    const replay = await events(res.body.id as string);
    expect(nodeEvents(replay)).toEqual(['start', 'draft', 'measure', 'add', 'out'].flatMap((id) => [`node.started:${id}`, `node.completed:${id}`]));

    const streamed = await (await SseReader.open(url(`/workflows/${workflowId}/runs?stream=true`), { method: 'POST', token: owner.accessToken, body: { inputs: { topic: 'sea' } } })).readAll();
    expect(nodeEvents(streamed)).toContain('node.completed:add');
    expect(streamed.at(-1)).toMatchObject({ event: 'run.completed', data: { output: { draft: 'echo(Write about sea)' } } });

    const key = `wf-${randomUUID()}`;
    const first = await post(`/workflows/${workflowId}/runs?background=true`, { inputs: { topic: 'x' } }, owner.accessToken, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    const second = await post(`/workflows/${workflowId}/runs?background=true`, { inputs: { topic: 'x' } }, owner.accessToken, { 'idempotency-key': key });
    expect(second.body.id).toBe(first.body.id);
    expect((await settled(first.body.id as string)).body.status).toBe('completed');
  });

  it('runs two branches side by side, joins them, and takes the branch the condition holds for', async () => {
    const workflowId = await newWorkflow({
      inputs: [{ name: 'topic', type: 'string', required: true }, { name: 'limit', type: 'integer', default: 10 }],
      outputs: [{ name: 'verdict', type: 'string' }],
      state: [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'string' },
      ],
      nodes: [
        { id: 'start', type: 'start' },
        llm('left', 'left {{ inputs.topic }}', 'a'),
        llm('right', 'right {{ inputs.topic }}', 'b'),
        { id: 'check', type: 'condition', config: { branches: [{ name: 'long', when: 'len(state.a) + len(state.b) > inputs.limit' }] } },
        { id: 'long', type: 'output', config: { values: { verdict: 'state.a + " + " + state.b' } } },
        { id: 'short', type: 'output', config: { values: { verdict: '"short"' } } },
      ],
      edges: [
        { from: 'start', to: 'left' },
        { from: 'start', to: 'right' },
        { from: 'left', to: 'check' },
        { from: 'right', to: 'check' },
        { from: 'check', to: 'long', branch: 'long' },
        { from: 'check', to: 'short', branch: 'default' },
      ],
    });
    let overlapped = false;
    fake.setDefaultReply((request) => {
      if (fake.completions.length === 2) overlapped = !fake.completions[0].finished;
      return { kind: 'text', text: ['echo(', promptOf(request), ')'], chunkDelayMs: 150 };
    });
    const long = await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 'x' } });
    expect(long.body).toMatchObject({ status: 'completed', output: { verdict: 'echo(left x) + echo(right x)' } });
    expect(overlapped).toBe(true);
    const nodes = nodeEvents(await events(long.body.id as string));
    expect(nodes.filter((e) => e === 'node.started:check')).toHaveLength(1);
    expect(nodes).not.toContain('node.started:short');
    const short = await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 'x', limit: 1000 } });
    expect(short.body).toMatchObject({ status: 'completed', output: { verdict: 'short' } });
  });

  it('parks at a human node, survives a restart, resumes once with a valid answer, and replays one continuous stream', async () => {
    const form = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'], additionalProperties: false };
    const workflowId = await newWorkflow({
      inputs: [{ name: 'topic', type: 'string', required: true }],
      outputs: [{ name: 'result', type: 'string' }],
      state: [
        { name: 'draft', type: 'string' },
        { name: 'verdict', type: 'object' },
      ],
      nodes: [
        { id: 'start', type: 'start' },
        llm('draft', 'Draft {{ inputs.topic }}', 'draft'),
        { id: 'review', type: 'human', config: { promptTemplate: 'Approve {{ state.draft }}?', schema: form, output: 'verdict' } },
        { id: 'out', type: 'output', config: { values: { result: 'state.draft + " approved=" + string(state.verdict.approved)' } } },
      ],
      edges: [
        { from: 'start', to: 'draft' },
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'out' },
      ],
    });
    const started = await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 'tides' } });
    expect(started.body).toMatchObject({ status: 'requires_action', requiredAction: { type: 'human_input', nodeId: 'review', prompt: 'Approve echo(Draft tides)?', schema: form } });
    const id = started.body.id as string;
    const firstHalf = await events(id);
    expect(firstHalf.at(-1)?.event).toBe('run.requires_action');

    const execution = cluster.app('execution');
    await execution.kill('SIGTERM');
    execution.start();
    await execution.waitForOutput(/./, 60_000);
    await cluster.waitReady();

    expect((await get(`/runs/${id}`)).body.status).toBe('requires_action');
    expectBadField(await post(`/runs/${id}/resume`, { input: { approved: 'yes' } }), 'input.approved');
    expectProblem(await post(`/runs/${id}/resume`, { input: { approved: true } }, stranger.accessToken), 404, 'NOT_FOUND');
    const resumed = await post(`/runs/${id}/resume`, { input: { approved: true } });
    expect(resumed.status).toBe(200);
    expectProblem(await post(`/runs/${id}/resume`, { input: { approved: false } }), 409, 'CONFLICT');
    const done = await settled(id);
    expect(done.body).toMatchObject({ status: 'completed', output: { result: 'echo(Draft tides) approved=true' } });
    expect(fake.completions).toHaveLength(1);

    const whole = await events(id);
    expect(idsOf(whole)).toEqual(whole.map((_, i) => i + 1));
    expect(whole.slice(0, firstHalf.length).map((e) => e.event)).toEqual(firstHalf.map((e) => e.event));
    expect(whole.map((e) => e.event).slice(firstHalf.length)).toEqual(expect.arrayContaining(['run.resumed', 'node.completed', 'run.completed']));
    const rest = await events(id, { 'last-event-id': String(firstHalf.length) });
    expect(idsOf(rest)).toEqual(idsOf(whole).slice(firstHalf.length));
  });

  it('kill -9 of the execution process mid-workflow: the run finishes once, from its last completed node, repeating no completed model call', async () => {
    const workflowId = await newWorkflow({
      inputs: [{ name: 'topic', type: 'string', required: true }],
      outputs: [{ name: 'result', type: 'string' }],
      state: [
        { name: 'one', type: 'string' },
        { name: 'two', type: 'string' },
      ],
      nodes: [
        { id: 'start', type: 'start' },
        llm('first', 'first {{ inputs.topic }}', 'one'),
        llm('second', 'second {{ state.one }}', 'two'),
        { id: 'out', type: 'output', config: { values: { result: 'state.two' } } },
      ],
      edges: [
        { from: 'start', to: 'first' },
        { from: 'first', to: 'second' },
        { from: 'second', to: 'out' },
      ],
    });
    // The first call answers; the second never does (the process dies during it); after the takeover it answers.
    let secondCalls = 0;
    fake.setDefaultReply((request) => {
      if (!promptOf(request).startsWith('second')) return { kind: 'text', text: `echo(${promptOf(request)})` };
      secondCalls += 1;
      return secondCalls === 1 ? { kind: 'hang' } : { kind: 'text', text: `echo(${promptOf(request)})` };
    });
    const started = await post(`/workflows/${workflowId}/runs?background=true`, { inputs: { topic: 'x' } });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await withTimeout(fake.waitForCompletions(2), 20_000, 'the second model call never came');

    const execution = cluster.app('execution');
    await execution.kill('SIGKILL');
    await withTimeout(fake.waitForDisconnect(fake.completions[1]), 5_000, 'the killed process left its model call open');
    execution.start();
    await execution.waitForOutput(/./, 60_000);

    const done = await settled(id);
    expect(done.body).toMatchObject({ status: 'completed', output: { result: 'echo(second echo(first x))' } });
    expect(done.body.attempt).toBeGreaterThanOrEqual(2);
    // The completed first call was made once; only the interrupted second one was made again.
    expect(fake.completions.map(promptOf)).toEqual(['first x', 'second echo(first x)', 'second echo(first x)']);
    const whole = await events(id);
    expect(whole.filter((e) => e.event === 'run.completed')).toHaveLength(1);
    expect(nodeEvents(whole).filter((e) => e === 'node.completed:first')).toHaveLength(1);
    const completed = (await get(`/runs/${id}/steps`)).body.items.filter((s: { status: string }) => s.status === 'completed').map((s: { key: string }) => s.key);
    expect(completed).toEqual(['node:start:1', 'node:first:1', 'node:first:1/llm', 'node:second:1', 'node:second:1/llm', 'node:out:1']);
  });

  it('cancels a run waiting on the model at once', async () => {
    const workflowId = await newWorkflow({
      inputs: [],
      outputs: [{ name: 'result', type: 'string' }],
      state: [],
      nodes: [{ id: 'start', type: 'start' }, llm('slow', 'slow'), { id: 'out', type: 'output', config: { values: { result: 'nodes.slow.output' } } }],
      edges: [
        { from: 'start', to: 'slow' },
        { from: 'slow', to: 'out' },
      ],
    });
    fake.setDefaultReply({ kind: 'hang' });
    const started = await post(`/workflows/${workflowId}/runs?background=true`, {});
    await withTimeout(fake.waitForCompletions(1), 20_000, 'the model call never came');
    const cancelled = await post(`/runs/${started.body.id as string}/cancel`, {});
    expect(cancelled.body.status).toBe('cancelled');
    await withTimeout(fake.waitForDisconnect(fake.completions[0]), 5_000, 'the cancelled run left its model call open');
  });

  it('runs the workflow of a conversation on a message and writes the answer to the conversation', async () => {
    const workflowId = await newWorkflow(fiveNodes);
    const conversation = await post('/conversations', { workflowId });
    expect(conversation.status).toBe(201);
    const res = await post(`/conversations/${conversation.body.id as string}/messages`, { content: 'tides' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', workflowId, conversationId: conversation.body.id, output: { outputs: { draft: 'echo(Write about tides)' } } });
    const messages = await get(`/conversations/${conversation.body.id as string}/messages`);
    expect(messages.body.items.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(messages.body.items[0].content).toBe('tides');
  });

  it('answers every bad input with a 400 naming the field', async () => {
    const workflowId = await newWorkflow(fiveNodes);
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: {} }), 'inputs.topic');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 7 } }), 'inputs.topic');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't', other: 1 } }), 'inputs.other');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: 'tides' }), 'inputs');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' }, version: 0 }), 'version');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' }, limits: { maxSteps: -1 } }), 'limits.maxSteps');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' }, webhookUrl: 'http://127.0.0.1:9/hook' }), 'webhookUrl');
    expectBadField(await post(`/workflows/${workflowId}/runs?stream=true&background=true`, { inputs: { topic: 't' } }), 'background');
    expectBadField(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' } }, owner.accessToken, { 'idempotency-key': 'é'.repeat(3) }), 'Idempotency-Key');
    expectBadField(await post('/workflows/not-a-uuid/runs', { inputs: { topic: 't' } }), 'id');
    expectProblem(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' }, version: 99 }), 404, 'NOT_FOUND');
  });

  it('answers 404 to another user on every route of a workflow run', async () => {
    const workflowId = await newWorkflow(fiveNodes);
    const run = await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' } });
    const id = run.body.id as string;
    expectProblem(await post(`/workflows/${workflowId}/runs`, { inputs: { topic: 't' } }, stranger.accessToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/workflows/${randomUUID()}/runs`, { inputs: { topic: 't' } }), 404, 'NOT_FOUND');
    expectProblem(await get(`/runs/${id}`, stranger.accessToken), 404, 'NOT_FOUND');
    expectProblem(await get(`/runs/${id}/steps`, stranger.accessToken), 404, 'NOT_FOUND');
    expectProblem(await get(`/runs/${id}/events`, stranger.accessToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/runs/${id}/cancel`, {}, stranger.accessToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/runs/${id}/resume`, { input: { approved: true } }, stranger.accessToken), 404, 'NOT_FOUND');
    // Each user's webhook secret is their own.
    const mine = await get('/webhooks/signing-secret');
    const theirs = await get('/webhooks/signing-secret', stranger.accessToken);
    expect([mine.status, theirs.status]).toEqual([200, 200]);
    expect(mine.body.secret).not.toBe(theirs.body.secret);
  });
});
