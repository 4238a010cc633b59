import { Cluster, createTestDatabase, FakeOpenAiServer, type RecordedRequest, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { SseReader } from './support/sse.js';
import { eventually, withTimeout } from './support/waits.js';

/**
 * A run survives its worker being killed (SIGKILL: no shutdown hook runs) in the middle of its
 * second model call: another execution process takes the run over once the lease lapses, reuses
 * the journalled first model call and tool call instead of repeating them, and the run completes
 * exactly once.
 */
describe('a run survives the execution process being killed mid-run', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;

  const post = (path: string, body: unknown, token: string) => cluster.api.request('POST', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string) => cluster.api.get(`/api/v1${path}`, token);
  const hasToolResult = (request: RecordedRequest) => (request.body.messages as Array<{ role: string }>).some((m) => m.role === 'tool');


  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('runsdurable'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('runsdur'),
      perApp: {
        execution: {
          OPENAI_BASE_URL: fake.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          EXECUTION_LEASE_MS: '2000',
          EXECUTION_HEARTBEAT_MS: '500',
          EXECUTION_POLL_MS: '300',
        },
      },
    });
    owner = await registerUser(cluster.api);
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  it('kill -9 during the second model call: a new process finishes the run once, without repeating the first call', async () => {
    const agent = await post(
      '/agents',
      { name: 'Calc', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Use the calculator.', tools: [{ kind: 'builtin', name: 'calculator' }] },
      owner.accessToken,
    );
    expect(agent.status).toBe(201);
    // 1st call: a tool call, fast. 2nd: never answers (the process dies during it). 3rd (after the takeover): the answer.
    fake.replyToolCalls([{ id: 'call_sum_1', name: 'calculator', arguments: { expression: '19 + 23' } }]);
    fake.reply({ kind: 'hang' });
    fake.replyText('19 + 23 = 42.');

    const started = await post(`/agents/${agent.body.id as string}/runs?background=true`, { input: 'What is 19 + 23?' }, owner.accessToken);
    expect(started.status).toBe(202);
    const id: string = started.body.id;
    await withTimeout(fake.waitForCompletions(2), 15_000, 'the second model call never came');
    // The run is inside step 2: llm:1 and the tool call are journalled as completed.
    const before = await eventually(
      () => get(`/runs/${id}/steps`, owner.accessToken),
      (r) => (r.body.items as unknown[] | undefined)?.length === 3,
      5_000,
    );
    expect(before.body.items.map((s: { key: string; status: string }) => [s.key, s.status])).toEqual([
      ['llm:1', 'completed'],
      ['tool:call_sum_1', 'completed'],
      ['llm:2', 'running'],
    ]);

    const execution = cluster.app('execution');
    await execution.kill('SIGKILL');
    await withTimeout(fake.waitForDisconnect(fake.completions[1]), 5_000, 'the killed process left its model call open');
    execution.start();
    await execution.waitForOutput(/./, 60_000);

    const done = await eventually(() => get(`/runs/${id}`, owner.accessToken), (r) => ['completed', 'failed', 'cancelled', 'expired'].includes(r.body.status as string));
    expect(done.body).toMatchObject({ status: 'completed', output: { content: '19 + 23 = 42.' }, outputPartial: false });
    expect(done.body.attempt).toBeGreaterThanOrEqual(2);

    // The first (completed) model call was made exactly once; only the interrupted one was repeated.
    expect(fake.completions.filter((r) => !hasToolResult(r))).toHaveLength(1);
    expect(fake.completions.filter(hasToolResult)).toHaveLength(2);
    expect(fake.completions).toHaveLength(3);

    const steps = await get(`/runs/${id}/steps`, owner.accessToken);
    const completed = (steps.body.items as Array<{ key: string; status: string }>).filter((s) => s.status === 'completed').map((s) => s.key);
    expect(completed).toEqual(['llm:1', 'tool:call_sum_1', 'llm:2']);

    // Completed once: one run.completed event, one notification.
    const events = await (await SseReader.open(`${cluster.api.baseUrl}/api/v1/runs/${id}/events`, { token: owner.accessToken })).readAll();
    expect(events.filter((e) => e.event === 'run.completed')).toHaveLength(1);
    expect(events.at(-1)?.event).toBe('run.completed');
    const notifications = await eventually(
      () => get('/notifications', owner.accessToken),
      (n) => (n.body.items as Array<{ link: string | null }>).some((i) => i.link === `/runs/${id}`),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const again = await get('/notifications', owner.accessToken);
    expect((again.body.items as Array<{ kind: string; link: string | null }>).filter((i) => i.link === `/runs/${id}`).map((i) => i.kind)).toEqual(['run.completed']);
    expect(notifications.status).toBe(200);
  });

  it('kill -9 mid-run after a model call that streamed NULs and a lone surrogate: that call is made once, its output stored with them replaced', async () => {
    fake.reset();
    const agent = await post(
      '/agents',
      { name: 'Noisy calc', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Use the calculator.', tools: [{ kind: 'builtin', name: 'calculator' }] },
      owner.accessToken,
    );
    expect(agent.status).toBe(201);
    fake.replyToolCalls([{ id: 'call_nul_1', name: 'calculator', arguments: { expression: '2 + 2' } }], { text: 'let me\u0000 add \ud800 that' });
    fake.reply({ kind: 'hang' });
    fake.replyText(['four\u0000', ' \ud800done']);

    const started = await post(`/agents/${agent.body.id as string}/runs?background=true`, { input: 'What is 2 + 2?' }, owner.accessToken);
    expect(started.status).toBe(202);
    const id: string = started.body.id;
    await withTimeout(fake.waitForCompletions(2), 15_000, 'the second model call never came');
    const before = await eventually(
      () => get(`/runs/${id}/steps`, owner.accessToken),
      (r) => (r.body.items as unknown[] | undefined)?.length === 3,
      5_000,
    );
    expect(before.body.items[0]).toMatchObject({ key: 'llm:1', status: 'completed', output: { replacedCharacters: 2 } });

    const execution = cluster.app('execution');
    await execution.kill('SIGKILL');
    await withTimeout(fake.waitForDisconnect(fake.completions[1]), 5_000, 'the killed process left its model call open');
    execution.start();
    await execution.waitForOutput(/./, 60_000);

    const done = await eventually(() => get(`/runs/${id}`, owner.accessToken), (r) => ['completed', 'failed', 'cancelled', 'expired'].includes(r.body.status as string));
    expect(done.body).toMatchObject({ status: 'completed', output: { content: 'four\uFFFD \uFFFDdone' } });
    // The completed call whose output had to be made storable was not made again; only the one the process died in was.
    expect(fake.completions.filter((r) => !hasToolResult(r))).toHaveLength(1);
    expect(fake.completions).toHaveLength(3);
    // The replayed first call went back to the model as it was stored (replaced), not as it was sent.
    const assistant = (fake.completions[2].body.messages as Array<{ role: string; content?: unknown }>).find((m) => m.role === 'assistant');
    expect(assistant?.content).toBe('let me\uFFFD add \uFFFD that');
  });
});
