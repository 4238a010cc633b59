import { Cluster, createTestDatabase, FakeOpenAiServer, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';
import { eventually } from './support/waits.js';

/**
 * Input no service can store (NULs, lone surrogates, JSON nested thousands deep), odd ids and odd
 * media types get a clear 4xx at the edge, naming the field and never echoing the input; text
 * from outside (a model that streams NULs) is stored with the characters replaced, and the run
 * never repeats its billed model call.
 */
describe('bad input at the edge, unstorable text from outside', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;

  const call = (method: string, path: string, body?: unknown, token = owner.accessToken) => cluster.api.request(method, `/api/v1${path}`, { body, token });

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('badinput'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('badinput'),
      perApp: { execution: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test' } },
    });
    owner = await registerUser(cluster.api);
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  it('a NUL in a field of a request that needs no login -> 400 naming the field', async () => {
    const res = await cluster.api.post('/api/v1/auth/login', { email: 'a\u0000b@example.test', password: 'whatever-long-enough' });
    expectBadField(res, 'email');
    expect(res.text).not.toContain('a\\u0000b');
  });

  it('NULs and lone surrogates in names, prompts, messages and JSON fields -> 400 naming each field', async () => {
    expectBadField(await call('POST', '/agents', { name: 'bad\u0000name', modelProvider: 'openai', modelName: 'gpt-4o-mini' }), 'name');
    expectBadField(await call('POST', '/agents', { name: 'ok', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'lone \ud800 surrogate' }), 'systemPrompt');
    expectBadField(await call('PATCH', '/settings', { settings: { theme: { nested: ['x', '\udfff'] } } }), 'settings.theme.nested.1');
    const search = await cluster.api.get('/api/v1/search/messages?q=a%00b', owner.accessToken);
    expectBadField(search, 'q');
  });

  it('JSON nested 5,000 deep -> 400 naming where, not a 500', async () => {
    // Written by hand: the test's own JSON.stringify would overflow on a value this deep.
    const raw = `{"settings":${'{"a":'.repeat(5000)}"leaf"${'}'.repeat(5000)}}`;
    const res = await cluster.api.request('PATCH', '/api/v1/settings', { raw, token: owner.accessToken, headers: { 'content-type': 'application/json' } });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].problems[0]).toMatch(/must not nest deeper than 32 levels/);
  });

  it('an id of 300 characters -> 400 problem+json that does not repeat the path', async () => {
    const long = 'x'.repeat(300);
    const res = await cluster.api.get(`/api/v1/agents/${long}`, owner.accessToken);
    expectBadField(res, 'id');
    expect(res.text).not.toContain(long);
  });

  it('a form-encoded or plain-text body where JSON is expected -> 415', async () => {
    const form = await cluster.api.request('POST', '/api/v1/agents', { raw: 'name=x&modelProvider=openai&modelName=gpt-4o-mini', token: owner.accessToken, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await cluster.api.request('POST', '/api/v1/agents', { raw: '{"name":"x"}', token: owner.accessToken, headers: { 'content-type': 'text/plain' } });
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await call('GET', '/agents')).body.items).toEqual([]);
  });

  it('a model that streams NULs and a lone surrogate: the run completes with them replaced, after one model call', async () => {
    const agent = await call('POST', '/agents', { name: 'Noisy', modelProvider: 'openai', modelName: 'gpt-4o-mini' });
    expect(agent.status).toBe(201);
    const before = fake.completions.length;
    fake.replyText(['zero\u0000', ' byte \ud800', ' end']);
    const run = await call('POST', `/agents/${agent.body.id as string}/runs`, { input: 'say something odd' });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: 'completed', output: { content: 'zero\uFFFD byte \uFFFD end' } });
    expect(fake.completions.length - before).toBe(1);
    const steps = await eventually(
      () => call('GET', `/runs/${run.body.id as string}/steps`),
      (res) => res.status === 200,
    );
    expect(steps.body.items[0]).toMatchObject({ key: 'llm:1', status: 'completed', output: { replacedCharacters: 2 } });
  });
});
