import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { Cluster, createTestDatabase, FakeOpenAiServer, registerUser, singleLlmWorkflow, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { eventually } from './support/waits.js';

type Res = { status: number; headers: Headers; body: any; text: string };

/**
 * The OpenAI-compatible face (/v1) through the official `openai` npm client, unmodified, against
 * the whole platform (every app its own process over the real NATS and PostgreSQL) with a fake
 * model server: every completion and response must be a run of the caller's agent, listed in
 * /api/v1/runs, and every failure OpenAI's error JSON with the matching status.
 */
describe('the OpenAI-compatible API (/v1) through the official openai client', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  let owner: TestUser;
  let stranger: TestUser;
  let agentId: string;
  let fullKey: string;
  let readKey: string;
  let strangerKey: string;
  let strangerAgentId: string;
  let workflowId: string;

  const api = () => cluster.api;
  const post = (path: string, body: unknown, token: string): Promise<Res> => api().request('POST', `/api/v1${path}`, { body, token });
  const get = (path: string, token: string): Promise<Res> => api().request('GET', `/api/v1${path}`, { token });
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${api().baseUrl}/v1`, maxRetries: 0, timeout: 60_000 });
  const newKey = async (token: string, scopes: string[]): Promise<string> => {
    const res = await post('/api-keys', { name: `k-${scopes.join('-')}`, scopes }, token);
    expect(res.status).toBe(201);
    return res.body.key as string;
  };
  const newAgent = async (token: string, name: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await post('/agents', { name, modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.', ...extra }, token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const runOf = async (completionOrResponseId: string): Promise<Res> => {
    const hex = completionOrResponseId.replace(/^(chatcmpl-|resp_)/, '');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return get(`/runs/${id}`, owner.accessToken);
  };
  const openAiError = (err: unknown) => {
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    return { status: e.status, type: e.type, code: e.code, param: e.param };
  };
  const failure = async (call: Promise<unknown>) => {
    try {
      await call;
    } catch (err) {
      return openAiError(err);
    }
    throw new Error('the call succeeded');
  };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('openaicompat'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('openaicompat'),
      perApp: {
        identity: { ENCRYPTION_KEYS: `oc:${randomBytes(32).toString('base64')}` },
        execution: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test', EXECUTION_MODEL_MAX_RETRIES: '0' },
      },
    });
    [owner, stranger] = await Promise.all([registerUser(cluster.api), registerUser(cluster.api)]);
    agentId = await newAgent(owner.accessToken, 'Support Bot');
    strangerAgentId = await newAgent(stranger.accessToken, 'Stranger Bot');
    const workflow = await post(
      '/workflows',
      {
        name: 'Summarize Topic',
        definition: singleLlmWorkflow(
          [{ name: 'topic', type: 'string', required: true }],
          'Write about {{ inputs.topic }}',
        ),
      },
      owner.accessToken,
    );
    expect(workflow.status).toBe(201);
    workflowId = workflow.body.id as string;
    expect((await post(`/workflows/${workflowId}/publish`, {}, owner.accessToken)).status).toBe(200);
    [fullKey, readKey, strangerKey] = await Promise.all([newKey(owner.accessToken, ['full']), newKey(owner.accessToken, ['read']), newKey(stranger.accessToken, ['full'])]);
  });

  beforeEach(() => {
    fake.reset();
  });

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  describe('successful', () => {
    it("lists the caller's agents and published workflows as models, by slug, and nobody else's", async () => {
      const models = [];
      for await (const model of client(fullKey).models.list()) models.push(model);
      expect(models.map((m) => m.id).sort()).toEqual(['summarize-topic', 'support-bot']);
      expect(models.find((m) => m.id === 'support-bot')).toMatchObject({ object: 'model', kind: 'agent', target_id: agentId });
      expect(await client(fullKey).models.retrieve('support-bot@1')).toMatchObject({ id: 'support-bot@1', object: 'model', kind: 'agent', target_id: agentId, version: 1 });
      expect(await client(fullKey).models.retrieve(workflowId)).toMatchObject({ id: workflowId, kind: 'workflow', version: 1 });
      // A read-only key may list.
      const read = [];
      for await (const model of client(readKey).models.list()) read.push(model.id);
      expect(read.sort()).toEqual(['summarize-topic', 'support-bot']);
    });

    it('answers a chat completion as a run of the agent: system prompt, client system message, history and settings reach the model', async () => {
      fake.replyText('Paris.', { usage: { promptTokens: 30, completionTokens: 2 } });
      const completion = await client(fullKey).chat.completions.create({
        model: 'support-bot',
        messages: [
          { role: 'system', content: 'Answer in one word.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
        ],
        temperature: 0.3,
        max_tokens: 50,
        user: 'end-user-7',
      });
      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'support-bot',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Paris.' } }],
        usage: { prompt_tokens: 30, completion_tokens: 2, total_tokens: 32 },
      });
      expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
      const sent = fake.completions[0].body;
      expect(sent.messages).toEqual([
        { role: 'system', content: 'Be brief.\n\nAnswer in one word.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Capital of France?' },
      ]);
      expect({ temperature: sent.temperature, max_tokens: sent.max_tokens ?? sent.max_completion_tokens }).toEqual({ temperature: 0.3, max_tokens: 50 });
      // The call is a run like any other: listed, with its usage.
      const run = await runOf(completion.id);
      expect(run.body).toMatchObject({ status: 'completed', agentId, usage: { totalTokens: 32 }, input: { endUser: 'end-user-7' } });
      const listed = await get(`/runs?agentId=${agentId}`, owner.accessToken);
      expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(run.body.id);
    });

    it('streams chunks with the usage chunk and [DONE], by id@version as the model', async () => {
      fake.replyText(['Par', 'is', ' it is.'], { usage: { promptTokens: 10, completionTokens: 4 } });
      const stream = await client(fullKey).chat.completions.create({
        model: `${agentId}@1`,
        messages: [{ role: 'user', content: 'Capital of France?' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Paris it is.');
      const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
      expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } });
      expect((await runOf(chunks[0].id)).body).toMatchObject({ status: 'completed', agentVersion: 1 });

      // Raw: the stream ends with data: [DONE].
      fake.replyText('Again.');
      const raw = await fetch(`${api().baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fullKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'support-bot', messages: [{ role: 'user', content: 'Again?' }], stream: true }),
      });
      expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(raw.headers.get('x-run-id')).toMatch(/^[0-9a-f-]{36}$/);
      const text = await raw.text();
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(text).not.toContain('"usage"');
    });

    it("ends with finish_reason tool_calls when the agent calls a client tool, and the next request's tool result continues the same run", async () => {
      fake.replyToolCalls([{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Oslo' } }], { usage: { promptTokens: 12, completionTokens: 5 } });
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];
      const first = await client(fullKey).chat.completions.create({ model: 'support-bot', messages, tools });
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      const call = first.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } });
      expect(fake.completions[0].body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['get_weather']);
      expect((await runOf(first.id)).body.status).toBe('requires_action');

      fake.replyText('It is 4C and cloudy in Oslo.', { usage: { promptTokens: 20, completionTokens: 8 } });
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '4C, cloudy' });
      const second = await client(fullKey).chat.completions.create({ model: 'support-bot', messages, tools });
      expect(second.id).toBe(first.id);
      expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'It is 4C and cloudy in Oslo.' } });
      // The model read the result under its own call id, in the same run.
      expect(fake.completions[1].body.messages.at(-1)).toEqual({ role: 'tool', content: '4C, cloudy', tool_call_id: 'call_w1' });
      expect((await runOf(second.id)).body).toMatchObject({ status: 'completed', usage: { totalTokens: 45 } });

      // A result for a run already answered is a conflict, not a second answer.
      const again = await failure(client(fullKey).chat.completions.create({ model: 'support-bot', messages, tools }));
      expect(again).toMatchObject({ status: 409 });
    });

    it('streams a tool call as tool_calls deltas, then the continuation streams the answer', async () => {
      fake.replyToolCalls([{ id: 'call_s1', name: 'lookup', arguments: { q: 'x' } }]);
      const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Look x up' }];
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of await client(fullKey).chat.completions.create({ model: 'support-bot', messages, tools, stream: true })) chunks.push(chunk);
      const callDelta = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(callDelta).toEqual([{ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }]);
      expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');

      fake.replyText('Found it.');
      messages.push(
        { role: 'assistant', content: null, tool_calls: [{ id: callDelta[0].id as string, type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
        { role: 'tool', tool_call_id: callDelta[0].id as string, content: 'x is 42' },
      );
      const rest: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of await client(fullKey).chat.completions.create({ model: 'support-bot', messages, tools, stream: true })) rest.push(chunk);
      expect(rest[0].id).toBe(chunks[0].id);
      // Only what the run said after the results: not the first turn's events again.
      expect(rest.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Found it.');
      expect(rest.at(-1)?.choices[0].finish_reason).toBe('stop');
    });

    it('runs a published workflow as a model: the message fills its text input', async () => {
      fake.replyText('A short text about tides.');
      const completion = await client(fullKey).chat.completions.create({ model: 'summarize-topic', messages: [{ role: 'user', content: 'tides' }] });
      expect(completion.choices[0].message.content).toBe('A short text about tides.');
      expect(String(fake.completions[0].body.messages.at(-1).content)).toBe('Write about tides');
      expect((await runOf(completion.id)).body).toMatchObject({ status: 'completed', workflowId });
    });

    it('answers the Responses API, continues with previous_response_id on the conversation tree, and branches from an older one', async () => {
      fake.replyText('Hello Ada.');
      const first = await client(fullKey).responses.create({ model: 'support-bot', input: 'My name is Ada.', instructions: 'Be warm.' });
      expect(first).toMatchObject({ object: 'response', status: 'completed', output_text: 'Hello Ada.', previous_response_id: null });
      expect(first.id).toMatch(/^resp_[0-9a-f]{32}$/);
      expect(fake.completions[0].body.messages[0]).toEqual({ role: 'system', content: 'Be brief.\n\nBe warm.' });

      fake.replyText('Your name is Ada.');
      const second = await client(fullKey).responses.create({ model: 'support-bot', input: 'What is my name?', previous_response_id: first.id });
      expect(second.output_text).toBe('Your name is Ada.');
      expect(fake.completions[1].body.messages.slice(1)).toEqual([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello Ada.' },
        { role: 'user', content: 'What is my name?' },
      ]);
      // A branch: another answer to the first response, which does not see the second turn.
      fake.replyText('Nice to meet you.');
      const branch = await client(fullKey).responses.create({ model: 'support-bot', input: 'I like tea.', previous_response_id: first.id });
      expect(fake.completions[2].body.messages.slice(1)).toEqual([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello Ada.' },
        { role: 'user', content: 'I like tea.' },
      ]);
      const [a, b] = await Promise.all([runOf(second.id), runOf(branch.id)]);
      expect(a.body.conversationId).toBe(b.body.conversationId);
      const retrieved = await client(fullKey).responses.retrieve(branch.id);
      expect(retrieved).toMatchObject({ id: branch.id, status: 'completed', output_text: 'Nice to meet you.', previous_response_id: first.id });
    });

    it('answers a response from a published workflow in a conversation of the workflow', async () => {
      fake.replyText('Tides follow the moon.');
      const response = await client(fullKey).responses.create({ model: 'summarize-topic', input: 'tides' });
      expect(response).toMatchObject({ status: 'completed', output_text: 'Tides follow the moon.' });
      expect((await runOf(response.id)).body).toMatchObject({ status: 'completed', workflowId, conversationId: expect.any(String) });
    });

    it('streams a response as its event types, in sequence', async () => {
      fake.replyText(['Once ', 'upon ', 'a time.']);
      const events = [];
      for await (const event of await client(fullKey).responses.create({ model: 'support-bot', input: 'Tell a story', stream: true })) events.push(event);
      const types = events.map((e) => e.type);
      expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
      expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const deltas = events.filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta');
      expect(deltas.map((d) => d.delta).join('')).toBe('Once upon a time.');
      const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
      expect(done.response).toMatchObject({ status: 'completed', output_text: 'Once upon a time.' });
    });

    it('starts a response in the background, retrieves it, and cancels one that hangs', async () => {
      fake.replyText('Done in the background.');
      const queued = await client(fullKey).responses.create({ model: 'support-bot', input: 'Work quietly', background: true });
      expect(['queued', 'in_progress']).toContain(queued.status);
      const finished = await eventually(
        () => client(fullKey).responses.retrieve(queued.id),
        (r) => r.status === 'completed',
      );
      expect(finished.output_text).toBe('Done in the background.');

      fake.reply({ kind: 'hang' });
      const hanging = await client(fullKey).responses.create({ model: 'support-bot', input: 'Take forever', background: true });
      await fake.waitForCompletions(2);
      const cancelled = await client(fullKey).responses.cancel(hanging.id);
      expect(cancelled.status).toBe('cancelled');
      expect((await runOf(hanging.id)).body.status).toBe('cancelled');
    });
  });

  describe('failing', () => {
    it("answers another user's agent, an unknown model and another user's response 404 model_not_found / not found", async () => {
      expect(await failure(client(fullKey).chat.completions.create({ model: strangerAgentId, messages: [{ role: 'user', content: 'hi' }] }))).toMatchObject({
        status: 404,
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: 'model',
      });
      expect(await failure(client(fullKey).chat.completions.create({ model: 'stranger-bot', messages: [{ role: 'user', content: 'hi' }] }))).toMatchObject({ status: 404, code: 'model_not_found' });
      expect(await failure(client(fullKey).chat.completions.create({ model: 'support-bot@99', messages: [{ role: 'user', content: 'hi' }] }))).toMatchObject({ status: 404, code: 'model_not_found' });
      expect(await failure(client(fullKey).models.retrieve('support-bot@99'))).toMatchObject({ status: 404, code: 'model_not_found' });
      expect(await failure(client(fullKey).models.retrieve(strangerAgentId))).toMatchObject({ status: 404, code: 'model_not_found' });
      fake.replyText('Mine.');
      const mine = await client(fullKey).responses.create({ model: 'support-bot', input: 'hi' });
      expect(await failure(client(strangerKey).responses.retrieve(mine.id))).toMatchObject({ status: 404 });
      expect(await failure(client(strangerKey).responses.cancel(mine.id))).toMatchObject({ status: 404 });
      expect(await failure(client(strangerKey).responses.create({ model: 'stranger-bot', input: 'x', previous_response_id: mine.id }))).toMatchObject({ status: 404 });
      // Tool results naming another user's paused run: that run is not found either.
      fake.replyToolCalls([{ id: 'call_own', name: 'lookup', arguments: {} }]);
      const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
      const paused = await client(fullKey).chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'look' }], tools });
      const call = paused.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(
        await failure(
          client(strangerKey).chat.completions.create({
            model: 'stranger-bot',
            messages: [{ role: 'user', content: 'look' }, paused.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'stolen' }],
            tools,
          }),
        ),
      ).toMatchObject({ status: 404 });
      expect((await runOf(paused.id)).body.status).toBe('requires_action');
      const models = [];
      for await (const model of client(strangerKey).models.list()) models.push(model.id);
      expect(models).toEqual(['stranger-bot']);
      expect(fake.completions).toHaveLength(2);
    });

    it('refuses bad credentials 401 and a read-only key 403, in OpenAI error JSON', async () => {
      expect(await failure(client('ap_live_not-a-real-key').models.list())).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
      expect(await failure(client(readKey).chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'hi' }] }))).toMatchObject({
        status: 403,
        type: 'permission_error',
      });
      const raw = await fetch(`${api().baseUrl}/v1/models`);
      expect(raw.status).toBe(401);
      expect(await raw.json()).toEqual({ error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'invalid_api_key' } });
      expect(fake.completions).toHaveLength(0);
    });

    it('refuses bad requests 400 naming the parameter', async () => {
      const bad = (body: Record<string, unknown>) => failure(client(fullKey).chat.completions.create(body as never));
      expect(await bad({ model: 'support-bot', messages: [] })).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages' });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'user', content: 'hi' }], temperature: 5 })).toMatchObject({ status: 400, param: 'temperature' });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'user', content: 'hi' }], n: 2 })).toMatchObject({ status: 400, param: 'n' });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'user', content: 'hi' }], stop: ['x'] })).toMatchObject({ status: 400, param: 'stop' });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'wizard', content: 'hi' }] })).toMatchObject({ status: 400, param: 'messages[0].role' });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }] })).toMatchObject({
        status: 400,
        param: 'messages[0].content[0]',
      });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'assistant', content: 'hi' }] })).toMatchObject({ status: 400, param: 'messages[0].role' });
      expect(await bad({ model: 'support-bot', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_made_up', content: 'r' }] })).toMatchObject({
        status: 400,
        param: 'messages[1].tool_call_id',
      });
      expect(await failure(client(fullKey).responses.create({ model: 'support-bot', input: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }))).toMatchObject({ status: 400, param: 'input' });
      const raw = await fetch(`${api().baseUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${fullKey}`, 'content-type': 'application/json' }, body: '{"model":' });
      expect(raw.status).toBe(400);
      expect((await raw.json()).error).toMatchObject({ type: 'invalid_request_error' });
      expect(fake.completions).toHaveLength(0);
    });

    it('answers a run that failed at the model as a 500 server_error naming the run, and the run records it', async () => {
      fake.replyError(400, 'context window exceeded');
      const err = await failure(client(fullKey).chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'hi' }] }));
      expect(err).toMatchObject({ status: 500, type: 'server_error', code: 'provider_error' });
      const failed = await get(`/runs?agentId=${agentId}&status=failed`, owner.accessToken);
      expect(failed.body.items[0]).toMatchObject({ error: { code: 'PROVIDER_ERROR' } });
    });
  });
});
