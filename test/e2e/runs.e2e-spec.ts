import { randomBytes, randomUUID } from 'node:crypto';
import { Cluster, createTestDatabase, FakeOpenAiServer, query, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { expectBadField, expectProblem } from './support/problems.js';
import { idsOf, type SseEvent, SseReader, tokenText } from './support/sse.js';
import { eventually, withTimeout } from './support/waits.js';

type Res = { status: number; headers: Headers; body: any; text: string };

const FINAL = ['completed', 'failed', 'cancelled', 'expired'];

/**
 * Running agents through the gateway, every app its own process over the real NATS and
 * PostgreSQL, the model being a fake OpenAI-compatible server on a real socket: the three ways to
 * wait for a run (wait, stream, background), replaying its events, cancelling, tool calls,
 * conversations, usage, and every bad input, with another user's runs answering 404.
 */
describe('runs over NATS, every app its own process, against a fake model server', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;
  let stranger: TestUser;
  let agentId: string;
  let databaseUrl: string;

  const api = () => cluster.api;
  const url = (path: string) => `${api().baseUrl}/api/v1${path}`;
  const post = (path: string, body: unknown, token: string, headers?: Record<string, string>): Promise<Res> =>
    api().request('POST', `/api/v1${path}`, { body, token, headers });
  const get = (path: string, token: string, headers?: Record<string, string>): Promise<Res> => api().request('GET', `/api/v1${path}`, { token, headers });
  const del = (path: string, token: string) => api().delete(`/api/v1${path}`, token);
  const newAgent = async (token: string, body: Record<string, unknown> = {}): Promise<string> => {
    const res = await post('/agents', { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.', ...body }, token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const run = (agent: string, body: Record<string, unknown>, token = owner.accessToken, query = '', headers?: Record<string, string>) =>
    post(`/agents/${agent}/runs${query}`, body, token, headers);
  const stream = (path: string, token: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    SseReader.open(url(path), { token, ...options });
  const settled = (id: string, token = owner.accessToken) => eventually(() => get(`/runs/${id}`, token), (res) => res.status === 200 && FINAL.includes(res.body.status as string));
  const today = () => new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    databaseUrl = await createTestDatabase('runs');
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('runs'),
      perApp: {
        identity: { ENCRYPTION_KEYS: `runs:${randomBytes(32).toString('base64')}` },
        execution: {
          OPENAI_BASE_URL: fake.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          EXECUTION_LEASE_MS: '2000',
          EXECUTION_HEARTBEAT_MS: '500',
          EXECUTION_POLL_MS: '300',
          EXECUTION_RETRY_DELAY_MS: '100',
        },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
    agentId = await newAgent(owner.accessToken);
  });

  beforeEach(() => {
    fake.reset();
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  describe('successful', () => {
    it("waits for the run by default and answers with the model's text, the usage and the steps", async () => {
      fake.replyText('Paris is the capital of France.', { usage: { promptTokens: 20, completionTokens: 7 } });
      const res = await run(agentId, { input: 'Capital of France?' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(res.body).toMatchObject({
        status: 'completed',
        agentId,
        agentVersion: 1,
        background: false,
        output: { content: 'Paris is the capital of France.' },
        outputPartial: false,
        error: null,
        usage: { promptTokens: 20, completionTokens: 7, totalTokens: 27 },
      });
      const id: string = res.body.id;

      expect(fake.completions).toHaveLength(1);
      const sent = fake.completions[0].body;
      expect(sent.model).toBe('gpt-4o-mini');
      expect(sent.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('Be brief.') });
      expect(sent.messages.at(-1)).toMatchObject({ role: 'user', content: 'Capital of France?' });
      expect(fake.completions[0].headers.authorization).toBe('Bearer sk-test');

      expect((await get(`/runs/${id}`, owner.accessToken)).body).toMatchObject({ id, status: 'completed', output: { content: 'Paris is the capital of France.' } });
      const steps = await get(`/runs/${id}/steps`, owner.accessToken);
      expect(steps.status).toBe(200);
      expect(steps.body.items.map((s: { key: string; type: string; status: string }) => [s.key, s.type, s.status])).toEqual([['llm:1', 'llm_call', 'completed']]);
      const listed = await get(`/runs?agentId=${agentId}&status=completed`, owner.accessToken);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(id);
      if (res.body.sessionId) {
        const session = await get(`/sessions/${res.body.sessionId as string}`, owner.accessToken);
        expect(session.status).toBe(200);
        expect(session.body).toMatchObject({ id: res.body.sessionId, agentId });
        expect(session.body.runCount).toBeGreaterThanOrEqual(1);
      }
    });

    it('streams the run as Server-Sent Events: tokens as they come, then run.completed, with increasing ids', async () => {
      fake.replyText(['Hello', ', ', 'world', '!'], { chunkDelayMs: 30 });
      const sse = await stream(`/agents/${agentId}/runs?stream=true`, owner.accessToken, { method: 'POST', body: { input: 'Greet me' } });
      expect(sse.status).toBe(200);
      expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(sse.headers.get('cache-control')).toBe('no-cache');
      expect(sse.headers.get('x-accel-buffering')).toBe('no');
      expect(sse.headers.get('x-request-id')).toBeTruthy();
      const events = await sse.readAll();

      const ids = idsOf(events);
      expect(ids[0]).toBe(1);
      expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]))).toBe(true);
      const runId: string = events[0].data.runId;
      for (const event of events) expect(event.data).toMatchObject({ runId, seq: Number(event.id) });
      const types = events.map((e) => e.event);
      expect(types).toContain('run.started');
      expect(types.indexOf('token')).toBeGreaterThan(types.indexOf('run.started'));
      expect(tokenText(events)).toBe('Hello, world!');
      expect(events.at(-1)).toMatchObject({ event: 'run.completed', data: { status: 'completed', output: { content: 'Hello, world!' } } });
      expect(sse.text).toMatch(/^id: 1\nevent: [a-z.]+\ndata: \{.*\}\n\n/);

      // What was streamed is what is stored: a full replay gives the very same events.
      const replay = await (await stream(`/runs/${runId}/events`, owner.accessToken)).readAll();
      expect(replay).toEqual(events);
    });

    it("uses a key sent with the request for that run only, never storing, showing or logging it; else the user's stored key", async () => {
      const requestKey = `sk-request-only-${randomUUID()}`;
      const storedKey = `sk-stored-user-${randomUUID()}`;
      const user = await registerUser(cluster.api);
      const agent = await newAgent(user.accessToken);
      expect((await api().request('PUT', '/api/v1/settings/provider-keys/openai', { body: { apiKey: storedKey }, token: user.accessToken })).status).toBe(200);

      fake.replyText('with the stored key').replyText('with the request key');
      const stored = await run(agent, { input: 'Hi' }, user.accessToken);
      expect(stored.body).toMatchObject({ status: 'completed', output: { content: 'with the stored key' } });
      expect(fake.completions[0].headers.authorization).toBe(`Bearer ${storedKey}`);

      const sent = await run(agent, { input: 'Hi again', apiKey: requestKey }, user.accessToken);
      expect(sent.body).toMatchObject({ status: 'completed', output: { content: 'with the request key' } });
      expect(fake.completions[1].headers.authorization).toBe(`Bearer ${requestKey}`);

      const id: string = sent.body.id;
      const replies = [
        sent.text,
        (await get(`/runs/${id}`, user.accessToken)).text,
        (await get(`/runs/${id}/steps`, user.accessToken)).text,
        (await get('/runs', user.accessToken)).text,
        JSON.stringify(await stream(`/runs/${id}/events`, user.accessToken).then((r) => r.readAll())),
      ];
      const rows = await query<{ text: string }>(
        databaseUrl,
        `SELECT concat_ws(' ', (SELECT row_to_json(r)::text FROM execution.runs r WHERE r.id = $1),
                (SELECT string_agg(row_to_json(s)::text, ' ') FROM execution.run_steps s WHERE s.run_id = $1),
                (SELECT string_agg(row_to_json(e)::text, ' ') FROM execution.run_events e WHERE e.run_id = $1),
                (SELECT string_agg(row_to_json(o)::text, ' ') FROM execution.outbox o)) AS text`,
        [id],
      );
      for (const text of [...replies, rows[0].text, cluster.logs()]) {
        expect(text).not.toContain(requestKey);
        expect(text).not.toContain(storedKey);
      }
    });

    it("uses a stored key from the next run on once it is set, replaced or deleted (execution keeps what identity revealed until identity says it changed)", async () => {
      const first = `sk-first-${randomUUID()}`;
      const second = `sk-second-${randomUUID()}`;
      const user = await registerUser(cluster.api);
      const agent = await newAgent(user.accessToken);
      const keyOfNextRun = async () => {
        const before = fake.completions.length;
        fake.replyText('ok');
        expect((await run(agent, { input: 'Hi' }, user.accessToken)).body).toMatchObject({ status: 'completed', output: { content: 'ok' } });
        return fake.completions[before].headers.authorization;
      };
      const putKey = async (apiKey: string) => expect((await api().request('PUT', '/api/v1/settings/provider-keys/openai', { body: { apiKey }, token: user.accessToken })).status).toBe(200);

      // No stored key: the platform's, twice (the second time from what execution kept).
      expect(await keyOfNextRun()).toBe('Bearer sk-test');
      expect(await keyOfNextRun()).toBe('Bearer sk-test');
      await putKey(first);
      expect(await keyOfNextRun()).toBe(`Bearer ${first}`);
      expect(await keyOfNextRun()).toBe(`Bearer ${first}`);
      await putKey(second);
      expect(await keyOfNextRun()).toBe(`Bearer ${second}`);
      expect((await api().request('DELETE', '/api/v1/settings/provider-keys/openai', { token: user.accessToken })).status).toBe(204);
      expect(await keyOfNextRun()).toBe('Bearer sk-test');
      expect(cluster.logs()).not.toContain(first);
      expect(cluster.logs()).not.toContain(second);
    });

    it('runs in the background: 202 at once, then a run.completed notification', async () => {
      fake.replyText('Done in the background.', { chunkDelayMs: 50 });
      const res = await run(agentId, { input: 'Take your time' }, owner.accessToken, '?background=true');
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ background: true, agentId });
      expect(['pending', 'running']).toContain(res.body.status);
      const id: string = res.body.id;
      expect((await settled(id)).body).toMatchObject({ status: 'completed', output: { content: 'Done in the background.' } });
      const notifications = await eventually(
        () => get('/notifications', owner.accessToken),
        (n) => (n.body.items as Array<{ kind: string; link: string | null }>).some((i) => i.kind === 'run.completed' && i.link === `/runs/${id}`),
      );
      expect(notifications.body.items.find((i: { link: string }) => i.link === `/runs/${id}`)).toMatchObject({ kind: 'run.completed', source: 'execution', readAt: null });
    });

    it('an Idempotency-Key makes a retry return the same run', async () => {
      fake.setDefaultReply({ kind: 'text', text: 'once' });
      const key = `retry-${randomUUID()}`;
      const first = await run(agentId, { input: 'Do it once' }, owner.accessToken, '?background=true', { 'Idempotency-Key': key });
      expect(first.status).toBe(202);
      const again = await run(agentId, { input: 'Do it once' }, owner.accessToken, '?background=true', { 'Idempotency-Key': key });
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(first.body.id);
      expect((await settled(first.body.id as string)).body).toMatchObject({ status: 'completed', output: { content: 'once' } });
      // A retry after the run ended still answers that run, without running it again.
      const late = await run(agentId, { input: 'Do it once' }, owner.accessToken, '?background=true', { 'Idempotency-Key': key });
      expect(late.body).toMatchObject({ id: first.body.id, status: 'completed' });
      const other = await run(agentId, { input: 'Do it once' }, owner.accessToken, '?background=true', { 'Idempotency-Key': `${key}-2` });
      expect(other.body.id).not.toBe(first.body.id);
      // The same key from another user is another user's run.
      const theirAgent = await newAgent(stranger.accessToken);
      const theirs = await run(theirAgent, { input: 'Do it once' }, stranger.accessToken, '?background=true', { 'Idempotency-Key': key });
      expect(theirs.status).toBe(202);
      expect(theirs.body.id).not.toBe(first.body.id);
      await Promise.all([settled(other.body.id as string), settled(theirs.body.id as string, stranger.accessToken)]);
      expect(fake.completions).toHaveLength(3);
    });

    it('a reconnect with Last-Event-ID (or ?after=) gets exactly the events after it', async () => {
      fake.replyText(['one ', 'two ', 'three ', 'four'], { chunkDelayMs: 20 });
      const res = await run(agentId, { input: 'Count to four' });
      expect(res.body.status).toBe('completed');
      const id: string = res.body.id;
      const full = await stream(`/runs/${id}/events`, owner.accessToken);
      expect(full.status).toBe(200);
      expect(full.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const all = await full.readAll();
      expect(idsOf(all)).toEqual(all.map((_, i) => i + 1));
      expect(all.at(-1)?.event).toBe('run.completed');

      const middle = Number(all[Math.floor(all.length / 2)].id);
      const after = (events: SseEvent[]) => events.filter((e) => Number(e.id) > middle);
      expect(await (await stream(`/runs/${id}/events`, owner.accessToken, { headers: { 'Last-Event-ID': String(middle) } })).readAll()).toEqual(after(all));
      expect(await (await stream(`/runs/${id}/events?after=${middle}`, owner.accessToken)).readAll()).toEqual(after(all));
      // The header wins over the query, as EventSource resends the original URL with the header.
      expect(await (await stream(`/runs/${id}/events?after=0`, owner.accessToken, { headers: { 'Last-Event-ID': String(middle) } })).readAll()).toEqual(after(all));
      // After the last event of an ended run: nothing, and the stream closes.
      const none = await stream(`/runs/${id}/events`, owner.accessToken, { headers: { 'Last-Event-ID': String(all.length) } });
      expect(none.status).toBe(200);
      expect(await none.readAll()).toEqual([]);
    });

    it('follows a live run from the middle: replay, then the rest as it happens', async () => {
      fake.replyText(Array.from({ length: 12 }, (_, i) => `w${i} `), { chunkDelayMs: 100 });
      const started = await run(agentId, { input: 'Talk slowly' }, owner.accessToken, '?background=true');
      const id: string = started.body.id;
      const first = await stream(`/runs/${id}/events`, owner.accessToken);
      expect(await first.readUntil((e) => e.event === 'token')).toBe(true);
      first.close();
      const seen = first.events;
      const rest = await (await stream(`/runs/${id}/events`, owner.accessToken, { headers: { 'Last-Event-ID': seen.at(-1)!.id! } })).readAll();
      const whole = [...seen, ...rest];
      expect(idsOf(whole)).toEqual(whole.map((_, i) => i + 1));
      expect(whole.at(-1)?.event).toBe('run.completed');
      expect(tokenText(whole)).toBe(Array.from({ length: 12 }, (_, i) => `w${i} `).join(''));
    });

    it('GET /runs/:id/events replays, then waits live: a cancel arrives as run.cancelled and ends the stream', async () => {
      fake.reply({ kind: 'hang' });
      const started = await run(agentId, { input: 'Never mind' }, owner.accessToken, '?background=true');
      expect(started.status).toBe(202);
      const id: string = started.body.id;
      const sse = await stream(`/runs/${id}/events`, owner.accessToken);
      expect(sse.status).toBe(200);
      expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(sse.headers.get('cache-control')).toBe('no-cache');
      expect(sse.headers.get('x-accel-buffering')).toBe('no');
      expect(sse.headers.get('x-request-id')).toBeTruthy();
      expect(await sse.readUntil((e) => e.id === '1')).toBe(true);
      expect(sse.text).toMatch(/^id: 1\nevent: run\.queued\ndata: \{.*\}\n\n/);
      expect(sse.events[0].data).toMatchObject({ runId: id, seq: 1 });

      const cancel = await post(`/runs/${id}/cancel`, {}, owner.accessToken);
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ id, status: 'cancelled' });
      const events = await withTimeout(sse.readAll(), 5_000, 'the stream did not end after the cancel');
      expect(events.at(-1)).toMatchObject({ event: 'run.cancelled', data: { runId: id, status: 'cancelled' } });
      expect(idsOf(events)).toEqual(events.map((_, i) => i + 1));
      expectProblem(await post(`/runs/${id}/cancel`, {}, owner.accessToken), 409, 'CONFLICT');
    });

    it('cancels a run mid-stream within a second: the model call is hung up, the partial output is kept', async () => {
      const words = Array.from({ length: 60 }, (_, i) => `word${i} `);
      fake.replyText(words, { chunkDelayMs: 150 });
      const sse = await stream(`/agents/${agentId}/runs?stream=true`, owner.accessToken, { method: 'POST', body: { input: 'Say a lot' } });
      expect(await sse.readUntil((e) => e.event === 'token')).toBe(true);
      const id: string = sse.events[0].data.runId;
      const asked = Date.now();
      const cancel = await post(`/runs/${id}/cancel`, {}, owner.accessToken);
      expect(cancel.status).toBe(200);
      expect(cancel.body.id).toBe(id);
      const cancelled = await eventually(() => get(`/runs/${id}`, owner.accessToken), (r) => r.body.status === 'cancelled', 5_000);
      expect(Date.now() - asked).toBeLessThan(1_500);
      await withTimeout(fake.waitForDisconnect(fake.completions[0]), 3_000, 'the model call was not hung up');
      expect(fake.completions[0].finished).toBe(false);

      const events = await sse.readAll();
      expect(events.at(-1)).toMatchObject({ event: 'run.cancelled', data: { status: 'cancelled' } });
      expect(cancelled.body.outputPartial).toBe(true);
      const partial: string = cancelled.body.output?.content ?? '';
      expect(partial.length).toBeGreaterThan(0);
      expect(words.join('').startsWith(partial)).toBe(true);
      expect(partial.length).toBeLessThan(words.join('').length);
    });

    it('a client-side tool: the stream ends at requires_action, resume brings the result and the run answers', async () => {
      fake.replyToolCalls([{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' } }]).replyText('It is 4 degrees in Oslo.');
      const tools = [{ name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
      const reader = await stream(`/agents/${agentId}/runs?stream=true`, owner.accessToken, { method: 'POST', body: { input: 'Weather in Oslo?', tools } });
      const events = await withTimeout(reader.readAll(), 10_000, 'the stream did not end at requires_action');
      const parked = events.at(-1)!;
      expect(parked).toMatchObject({
        event: 'run.requires_action',
        data: { status: 'requires_action', action: { type: 'client_tool_calls', toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: '{"city":"Oslo"}' }] } },
      });
      const id: string = parked.data.runId;
      expectBadField(await post(`/runs/${id}/resume`, { toolOutputs: [{ toolCallId: 'call_other', output: 'x' }] }, owner.accessToken), 'toolOutputs');
      expectProblem(await post(`/runs/${id}/resume`, { toolOutputs: [{ toolCallId: 'call_weather', output: '4C' }] }, stranger.accessToken), 404, 'NOT_FOUND');
      const resumed = await post(`/runs/${id}/resume`, { toolOutputs: [{ toolCallId: 'call_weather', output: '4C, cloudy' }] }, owner.accessToken);
      expect(resumed.status).toBe(200);
      const rest = await (await stream(`/runs/${id}/events`, owner.accessToken, { headers: { 'Last-Event-ID': parked.id! } })).readAll();
      expect(rest.at(-1)).toMatchObject({ event: 'run.completed', data: { output: { content: 'It is 4 degrees in Oslo.' } } });
      expect(fake.completions).toHaveLength(2);
      expect(fake.completions[1].body.messages.at(-1)).toEqual({ role: 'tool', content: '4C, cloudy', tool_call_id: 'call_weather' });
      const steps = await get(`/runs/${id}/steps`, owner.accessToken);
      expect(steps.body.items.map((s: { key: string; type: string }) => [s.key, s.type])).toEqual([
        ['llm:1', 'llm_call'],
        ['tool:call_weather', 'human_input'],
        ['llm:2', 'llm_call'],
      ]);
    });

    it('runs a tool call: steps llm:1, tool:<call id>, llm:2, and the model reads the result', async () => {
      const calculating = await newAgent(owner.accessToken, { tools: [{ kind: 'builtin', name: 'calculator' }] });
      fake.replyToolCalls([{ id: 'call_calc_1', name: 'calculator', arguments: { expression: '6 * 7' } }]);
      fake.replyText('6 times 7 is 42.');
      const res = await run(calculating, { input: 'What is 6 times 7?' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'completed', output: { content: '6 times 7 is 42.' } });
      expect(fake.completions[0].body.tools.map((t: { function: { name: string } }) => t.function.name)).toContain('calculator');
      const toolMessage = (fake.completions[1].body.messages as Array<{ role: string; tool_call_id?: string; content: unknown }>).find((m) => m.role === 'tool');
      expect(toolMessage).toMatchObject({ tool_call_id: 'call_calc_1' });
      expect(String(toolMessage?.content)).toContain('42');

      const steps = await get(`/runs/${res.body.id as string}/steps`, owner.accessToken);
      expect(steps.body.items.map((s: { key: string; type: string; status: string }) => [s.key, s.type, s.status])).toEqual([
        ['llm:1', 'llm_call', 'completed'],
        ['tool:call_calc_1', 'tool', 'completed'],
        ['llm:2', 'llm_call', 'completed'],
      ]);
      expect(JSON.stringify(steps.body.items[1].output)).toContain('42');
      expect(res.body.usage.totalTokens).toBe(steps.body.items[0].usage.totalTokens + steps.body.items[2].usage.totalTokens);
    });

    it('a provider answering 500 fails the run with a summary, and the next run works', async () => {
      fake.setDefaultReply({ kind: 'error', status: 500, message: 'The server had an error while processing your request.' });
      const res = await run(agentId, { input: 'Try it' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'failed', error: { code: expect.any(String), message: expect.any(String) } });
      expect(res.body.error.message.length).toBeLessThan(1000);
      expect(JSON.stringify(res.body)).not.toMatch(/sk-test|\n\s+at /);

      fake.reset();
      fake.replyText('Back to normal.');
      const next = await run(agentId, { input: 'Again' });
      expect(next.body).toMatchObject({ status: 'completed', output: { content: 'Back to normal.' } });
    });

    it("a conversation message runs the conversation's agent and stores the answer; a second one while it runs is refused", async () => {
      const conversation = await post('/conversations', { agentId }, owner.accessToken);
      expect(conversation.status).toBe(201);
      const id: string = conversation.body.id;
      fake.replyText('Hi there!');
      const res = await post(`/conversations/${id}/messages`, { content: 'Hello' }, owner.accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'completed', conversationId: id, agentId, output: { content: 'Hi there!' } });
      const messages = await get(`/conversations/${id}/messages`, owner.accessToken);
      expect(messages.body.items.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
        ['user', 'Hello'],
        ['assistant', 'Hi there!'],
      ]);

      // History comes along on the next turn.
      fake.reply({ kind: 'hang' });
      const first = await post(`/conversations/${id}/messages?background=true`, { content: 'And then?' }, owner.accessToken);
      expect(first.status).toBe(202);
      await withTimeout(fake.waitForCompletions(2), 10_000, 'the model was not called');
      expect((fake.completions[1].body.messages as Array<{ content: unknown }>).map((m) => m.content)).toEqual(['Be brief.', 'Hello', 'Hi there!', 'And then?']);
      const second = await post(`/conversations/${id}/messages`, { content: 'Hello?' }, owner.accessToken);
      expectProblem(second, 409, 'CONFLICT');
      expect(second.body.activeRunId).toBe(first.body.id);
      expect((await post(`/runs/${first.body.id as string}/cancel`, {}, owner.accessToken)).status).toBe(200);

      // run=false only appends, as an import of history would.
      const appended = await post(`/conversations/${id}/messages?run=false`, { content: 'Just noting this' }, owner.accessToken);
      expect(appended.status).toBe(201);
      expect(appended.body).toMatchObject({ role: 'user', content: 'Just noting this' });
      expect(fake.completions).toHaveLength(2);
    });

    it('a message with parentId null starts the conversation over on a new branch (an edit of the first message), answered without the old history', async () => {
      const id: string = (await post('/conversations', { agentId }, owner.accessToken)).body.id;
      fake.replyText('First answer.').replyText('Second answer.');
      expect((await post(`/conversations/${id}/messages`, { content: 'Hello' }, owner.accessToken)).body.status).toBe('completed');
      const again = await post(`/conversations/${id}/messages`, { content: 'Hi instead', parentId: null }, owner.accessToken);
      expect(again.body).toMatchObject({ status: 'completed', output: { content: 'Second answer.' } });
      expect((fake.completions[1].body.messages as Array<{ content: unknown }>).map((m) => m.content)).toEqual(['Be brief.', 'Hi instead']);
      const branch = await get(`/conversations/${id}/messages`, owner.accessToken);
      expect(branch.body.items.map((m: { role: string; content: string; parentId: string | null }) => [m.role, m.content])).toEqual([
        ['user', 'Hi instead'],
        ['assistant', 'Second answer.'],
      ]);
      const tree = await get(`/conversations/${id}/tree`, owner.accessToken);
      expect(tree.body.nodes.filter((n: { parentId: string | null }) => n.parentId === null)).toHaveLength(2);
      const appended = await post(`/conversations/${id}/messages?run=false`, { content: 'A third start', parentId: null }, owner.accessToken);
      expect(appended.body).toMatchObject({ role: 'user', parentId: null });
    });

    it('a second message may queue behind the active run, or interrupt it: never two runs on one conversation at once', async () => {
      const conversation = await post('/conversations', { agentId }, owner.accessToken);
      const id: string = conversation.body.id;
      fake.reply({ kind: 'hang' });
      const first = await post(`/conversations/${id}/messages?background=true`, { content: 'One' }, owner.accessToken);
      expect(first.status).toBe(202);
      await withTimeout(fake.waitForCompletions(1), 10_000, 'the first run did not call the model');
      const queued = await post(`/conversations/${id}/messages?background=true`, { content: 'Two', onActiveRun: 'enqueue' }, owner.accessToken);
      expect(queued.status).toBe(202);
      await new Promise((r) => setTimeout(r, 700)); // a few worker polls: the queued run must not start beside the first
      expect(fake.completions).toHaveLength(1);
      expect((await get(`/runs/${queued.body.id as string}`, owner.accessToken)).body.status).toBe('pending');

      fake.replyText('Three answered.');
      const third = await post(`/conversations/${id}/messages`, { content: 'Three', onActiveRun: 'interrupt' }, owner.accessToken);
      expect(third.status).toBe(200);
      expect(third.body).toMatchObject({ status: 'completed', output: { content: 'Three answered.' } });
      await withTimeout(fake.waitForDisconnect(fake.completions[0]), 5_000, 'the interrupted model call was left open');
      expect((await get(`/runs/${first.body.id as string}`, owner.accessToken)).body.status).toBe('cancelled');
      expect((await get(`/runs/${queued.body.id as string}`, owner.accessToken)).body.status).toBe('cancelled');
      expect(fake.completions).toHaveLength(2);
    });

    it('reports usage by model', async () => {
      fake.replyText('Counted.', { usage: { promptTokens: 11, completionTokens: 3 } });
      expect((await run(agentId, { input: 'Count me' })).body.status).toBe('completed');
      const report = await get(`/usage?from=${today()}&to=${today()}&groupBy=model`, owner.accessToken);
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ from: today(), to: today(), groupBy: 'model' });
      const row = report.body.items.find((r: { key: string }) => r.key === 'gpt-4o-mini');
      expect(row).toBeDefined();
      expect(row.requests).toBeGreaterThanOrEqual(1);
      expect(row.totalTokens).toBeGreaterThanOrEqual(14);
      expect(report.body.total.requests).toBeGreaterThanOrEqual(row.requests);
    });

    it('documents every run route at /docs', async () => {
      const doc = await api().get('/docs/openapi.json');
      const paths = doc.body.paths as Record<string, Record<string, { tags?: string[] }>>;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/agents/{id}/runs',
          '/api/v1/runs',
          '/api/v1/runs/{id}',
          '/api/v1/runs/{id}/steps',
          '/api/v1/runs/{id}/events',
          '/api/v1/runs/{id}/cancel',
          '/api/v1/runs/{id}/resume',
          '/api/v1/sessions/{id}',
          '/api/v1/usage',
        ]),
      );
      expect(paths['/api/v1/runs/{id}'].get.tags).toEqual(['runs']);
      expect(paths['/api/v1/sessions/{id}'].get.tags).toEqual(['sessions']);
      expect(paths['/api/v1/usage'].get.tags).toEqual(['usage']);
      expect(JSON.stringify(paths['/api/v1/conversations/{id}/messages'].post)).toContain('run=false');
    });
  });

  describe('failing', () => {
    it('an empty or oversized input -> 400 naming input', async () => {
      expectBadField(await run(agentId, { input: '' }), 'input');
      expectBadField(await run(agentId, {}), 'input');
      expectBadField(await run(agentId, { input: 'x'.repeat(100_001) }), 'input');
      expectBadField(await post(`/conversations/${randomUUID()}/messages`, { content: 'x'.repeat(100_001) }, owner.accessToken), 'content');
      expect(fake.completions).toHaveLength(0);
    });

    it('stream=true with background=true -> 400', async () => {
      expectBadField(await run(agentId, { input: 'hi' }, owner.accessToken, '?stream=true&background=true'), 'background');
      expectBadField(await post(`/conversations/${randomUUID()}/messages?stream=true&background=true`, { content: 'hi' }, owner.accessToken), 'background');
      expectBadField(await run(agentId, { input: 'hi' }, owner.accessToken, '?stream=yes'), 'stream');
    });

    it('a bad Idempotency-Key -> 400', async () => {
      for (const key of ['k'.repeat(256), 'tab\there', 'naïve']) {
        expectBadField(await run(agentId, { input: 'hi' }, owner.accessToken, '', { 'Idempotency-Key': key }), 'Idempotency-Key');
      }
      expect(fake.completions).toHaveLength(0);
    });

    it('a bad event position or id -> 400, before any stream starts', async () => {
      expectBadField(await get(`/runs/${randomUUID()}/events?after=abc`, owner.accessToken), 'after');
      expectBadField(await get(`/runs/${randomUUID()}/events?after=-1`, owner.accessToken), 'after');
      expectBadField(await get(`/runs/${randomUUID()}/events`, owner.accessToken, { 'Last-Event-ID': '1.5' }), 'Last-Event-ID');
      expectBadField(await get('/runs/not-a-uuid', owner.accessToken), 'id');
      expectBadField(await get('/runs/not-a-uuid/events', owner.accessToken), 'id');
      expectBadField(await get('/sessions/not-a-uuid', owner.accessToken), 'id');
      expectBadField(await get('/runs?status=sleeping', owner.accessToken), 'status');
      expectBadField(await get(`/usage?from=yesterday&to=${today()}`, owner.accessToken), 'from');
      expectBadField(await post(`/runs/${randomUUID()}/resume`, { toolOutputs: [] }, owner.accessToken), 'toolOutputs');
    });

    it('numbers no database column can hold -> 400 naming them; an event position past the end -> nothing yet', async () => {
      const huge = 99_999_999_999;
      expectBadField(await run(agentId, { input: 'Hi', version: huge }), 'version');
      expectBadField(await get(`/agents/${agentId}/versions/${huge}`, owner.accessToken), 'version');
      expectBadField(await post(`/agents/${agentId}/versions/${huge}/restore`, {}, owner.accessToken), 'version');
      expectBadField(await post(`/agents/${agentId}/publish`, { version: huge }, owner.accessToken), 'version');
      fake.replyText('Short.');
      const done = await run(agentId, { input: 'Hi' });
      const far = await (await stream(`/runs/${done.body.id as string}/events`, owner.accessToken, { headers: { 'Last-Event-ID': '999999999999999' } })).readAll();
      expect(far).toEqual([]);
    });

    it('an unknown, deleted or foreign agent -> 404, and no model call', async () => {
      expectProblem(await run(randomUUID(), { input: 'hi' }), 404, 'NOT_FOUND');
      const theirs = await newAgent(stranger.accessToken);
      expectProblem(await run(theirs, { input: 'hi' }), 404, 'NOT_FOUND');
      expectProblem(await run(theirs, { input: 'hi' }, owner.accessToken, '?stream=true'), 404, 'NOT_FOUND');
      const doomed = await newAgent(owner.accessToken);
      expect((await del(`/agents/${doomed}`, owner.accessToken)).status).toBe(204);
      expectProblem(await run(doomed, { input: 'hi' }), 404, 'NOT_FOUND');
      expectProblem(await run(doomed, { input: 'hi' }, owner.accessToken, '?background=true'), 404, 'NOT_FOUND');
      expect(fake.completions).toHaveLength(0);
    });

    it("another user's run or session answers 404 on every route", async () => {
      fake.replyText('private');
      const mine = await run(agentId, { input: 'secret' });
      expect(mine.body.status).toBe('completed');
      const id: string = mine.body.id;
      const t = stranger.accessToken;
      const attempts: Array<() => Promise<Res>> = [
        () => get(`/runs/${id}`, t),
        () => get(`/runs/${id}/steps`, t),
        () => get(`/runs/${id}/events`, t),
        () => post(`/runs/${id}/cancel`, {}, t),
        () => post(`/runs/${id}/resume`, { toolOutputs: [{ toolCallId: 'x', output: 'y' }] }, t),
      ];
      if (mine.body.sessionId) attempts.push(() => get(`/sessions/${mine.body.sessionId as string}`, t));
      for (const attempt of attempts) expectProblem(await attempt(), 404, 'NOT_FOUND');
      expect((await get('/runs', t)).body.items.map((r: { id: string }) => r.id)).not.toContain(id);
      expectProblem(await get(`/runs/${randomUUID()}`, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await get(`/runs/${randomUUID()}/events`, owner.accessToken), 404, 'NOT_FOUND');
      expectProblem(await get(`/sessions/${randomUUID()}`, owner.accessToken), 404, 'NOT_FOUND');
      // Another user's conversation cannot be run either.
      const conversation = (await post('/conversations', { agentId }, owner.accessToken)).body.id as string;
      expectProblem(await post(`/conversations/${conversation}/messages`, { content: 'hi' }, t), 404, 'NOT_FOUND');
      expect((await get(`/runs/${id}`, owner.accessToken)).body.status).toBe('completed');
    });

    it('cancelling a finished run -> 409; resuming a run that is not waiting -> 409', async () => {
      fake.replyText('finished');
      const done = await run(agentId, { input: 'quick' });
      expect(done.body.status).toBe('completed');
      expectProblem(await post(`/runs/${done.body.id as string}/cancel`, {}, owner.accessToken), 409, 'CONFLICT');
      expectProblem(await post(`/runs/${done.body.id as string}/resume`, { toolOutputs: [{ toolCallId: 'call_1', output: '1' }] }, owner.accessToken), 409, 'CONFLICT');
      expect((await get(`/runs/${done.body.id as string}`, owner.accessToken)).body.status).toBe('completed');
    });

    it('without a credential -> 401 on every run route', async () => {
      for (const res of [
        await api().request('POST', `/api/v1/agents/${agentId}/runs`, { body: { input: 'hi' } }),
        await api().get(`/api/v1/runs/${randomUUID()}/events`),
        await api().get('/api/v1/runs'),
        await api().get(`/api/v1/usage?from=${today()}&to=${today()}`),
      ]) {
        expectProblem(res, 401, 'UNAUTHENTICATED');
      }
    });
  });
});
