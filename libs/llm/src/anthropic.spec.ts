import { HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { ErrorCode, type ModelProvider } from '#contracts';
import { FakeAnthropicServer } from '#testing';
import { type ChatDelta, completeChat, streamChat } from './chat-stream.js';
import { ModelConfigurationError } from './llm-errors.js';
import { type CreateModelInput, describeModel, ModelProviders, type StoredKeyLookup } from './model-providers.js';
import { PriceTable } from './price-table.js';
import { collect, failureOf, weatherTool } from '../test/chat-helpers.js';

const KEY = 'sk-ant-api03-secretsecretsecret';
const REQUEST_KEY = 'sk-ant-request-0123456789abcdef';
const STORED_KEY = 'sk-ant-stored-0123456789abcdef';
const OPENAI_KEY = 'sk-openai-env-0123456789abcdef';
const MODEL = 'claude-sonnet-4-20250514';


const texts = (deltas: ChatDelta[]) => deltas.filter((d) => d.type === 'text').map((d) => (d as { text: string }).text);
const doneOf = (deltas: ChatDelta[]) => (deltas.at(-1) as Extract<ChatDelta, { type: 'done' }>).result;

describe('the anthropic provider against a Messages API server', () => {
  let server: FakeAnthropicServer;
  let providers: ModelProviders;

  beforeAll(async () => {
    server = await FakeAnthropicServer.start();
    providers = ModelProviders.fromEnv({ ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: KEY });
  });
  afterEach(() => server.reset());
  afterAll(() => server.stop());

  const model = (extra: Partial<CreateModelInput> = {}) => providers.create({ provider: 'anthropic', model: MODEL, maxRetries: 0, ...extra });

  it('streams text deltas in order, then usage and the done result', async () => {
    server.replyText(['The ', 'answer ', 'is ', '42.'], { usage: { inputTokens: 9, outputTokens: 4 } });
    const deltas = await collect(streamChat(await model(), 'What is the answer?'));
    expect(texts(deltas)).toEqual(['The ', 'answer ', 'is ', '42.']);
    expect(deltas.slice(-2).map((d) => d.type)).toEqual(['usage', 'done']);
    const result = doneOf(deltas);
    expect(result).toMatchObject({ text: 'The answer is 42.', usage: { inputTokens: 9, outputTokens: 4 }, finishReason: 'stop', responseModel: MODEL, toolCalls: [] });
    expect(result.message.content).toBe('The answer is 42.');
    const [request] = server.messages;
    expect(request.body).toMatchObject({ model: MODEL, stream: true, max_tokens: 4096, messages: [{ role: 'user', content: 'What is the answer?' }] });
    expect(request.headers['x-api-key']).toBe(KEY);
    expect(request.headers['anthropic-version']).toBeDefined();
    expect(request.headers.authorization).toBeUndefined();
    expect(describeModel(await model())).toEqual({ provider: 'anthropic', model: MODEL, baseUrl: server.baseUrl, keySource: 'environment' });
  });

  it('returns a plain completion with its usage, cache reads included in the input', async () => {
    server.replyText('Paris is the capital.', { usage: { inputTokens: 8, cacheReadInputTokens: 4, outputTokens: 5 } });
    const result = await completeChat(await model(), [new HumanMessage('Capital of France?')]);
    expect(result).toMatchObject({ text: 'Paris is the capital.', usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 4 }, finishReason: 'stop', responseModel: MODEL });
    expect(server.messages[0].body.stream).toBeFalsy();
  });

  it('reports a reply cut by max_tokens as finish reason "length"', async () => {
    server.replyText('Once upon a', { stopReason: 'max_tokens' });
    expect((doneOf(await collect(streamChat(await model({ maxTokens: 3 }), 'Tell a story')))).finishReason).toBe('length');
    expect(server.messages[0].body.max_tokens).toBe(3);
  });

  it('sends the system prompt as the top-level system field, and the settings', async () => {
    server.replyText('Bonjour');
    await completeChat(await model({ temperature: 0.2, maxTokens: 64, stop: ['END'] }), [new SystemMessage('Answer in French.'), new HumanMessage('Hello')]);
    const { body } = server.messages[0];
    expect(body.system).toBe('Answer in French.');
    expect(body.messages).toEqual([{ role: 'user', content: 'Hello' }]);
    expect(body).toMatchObject({ temperature: 0.2, max_tokens: 64, stop_sequences: ['END'] });
  });

  it('refuses a temperature above Anthropic\'s range before any call', async () => {
    const error = await model({ temperature: 1.5 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelConfigurationError);
    expect((error as ModelConfigurationError).message).toContain('temperature');
  });

  it('assembles streamed tool_use blocks into calls with parsed arguments, and sends the results back as tool_result', async () => {
    server.replyToolUse(
      [
        { id: 'toolu_a', name: 'get_weather', input: { city: 'Paris', unit: 'c' }, fragments: 5 },
        { id: 'toolu_b', name: 'get_weather', input: { city: 'Oslo' } },
        { id: 'toolu_c', name: 'get_weather', input: '{"city": "Ber', fragments: 2 },
      ],
      { text: 'Let me check.', usage: { inputTokens: 30, outputTokens: 20 } },
    );
    const deltas = await collect(streamChat(await model(), 'Weather in Paris and Oslo?', { tools: [weatherTool] }));
    expect(texts(deltas).join('')).toBe('Let me check.');
    const calls = deltas.filter((d) => d.type === 'tool_call').map((d) => (d as Extract<ChatDelta, { type: 'tool_call' }>).toolCall);
    expect(calls).toEqual([
      { id: 'toolu_a', name: 'get_weather', args: { city: 'Paris', unit: 'c' } },
      { id: 'toolu_b', name: 'get_weather', args: { city: 'Oslo' } },
    ]);
    const invalid = deltas.filter((d) => d.type === 'invalid_tool_call').map((d) => (d as Extract<ChatDelta, { type: 'invalid_tool_call' }>).toolCall);
    expect(invalid).toEqual([{ id: 'toolu_c', name: 'get_weather', rawArgs: '{"city": "Ber', error: 'arguments are not valid JSON' }]);
    const result = doneOf(deltas);
    expect(result).toMatchObject({ finishReason: 'tool_calls', usage: { inputTokens: 30, outputTokens: 20 } });
    expect(server.messages[0].body.tools).toEqual([{ name: 'get_weather', description: 'Current weather in a city', input_schema: weatherTool.function.parameters }]);

    // The assembled message goes back into the history with the tool results, as the loop does.
    server.replyText('Sunny in both.');
    const followUp = await completeChat(await model(), [
      new HumanMessage('Weather in Paris and Oslo?'),
      result.message,
      new ToolMessage({ tool_call_id: 'toolu_a', content: '21C sunny' }),
      new ToolMessage({ tool_call_id: 'toolu_b', content: '12C sunny' }),
    ], { tools: [weatherTool] });
    expect(followUp.text).toBe('Sunny in both.');
    const sent = server.messages[1].body.messages;
    expect(sent.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    const toolUses = sent[1].content.filter((block: any) => block.type === 'tool_use');
    expect(toolUses.map((block: any) => [block.id, block.name, block.input])).toEqual([
      ['toolu_a', 'get_weather', { city: 'Paris', unit: 'c' }],
      ['toolu_b', 'get_weather', { city: 'Oslo' }],
    ]);
    expect(sent[2].content.map((block: any) => [block.type, block.tool_use_id, block.content])).toEqual([
      ['tool_result', 'toolu_a', '21C sunny'],
      ['tool_result', 'toolu_b', '12C sunny'],
    ]);
  });

  it('returns tool calls from a plain completion too', async () => {
    server.replyToolUse([{ id: 'toolu_x', name: 'get_weather', input: { city: 'Rome' } }]);
    const result = await completeChat(await model(), 'Weather in Rome?', { tools: [weatherTool], toolChoice: 'auto' });
    expect(result.toolCalls).toEqual([{ id: 'toolu_x', name: 'get_weather', args: { city: 'Rome' } }]);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('gives each reply its own message id', async () => {
    server.replyText('one').replyText('two');
    await completeChat(await model(), 'a');
    await collect(streamChat(await model(), 'b'));
    const [first, second] = server.messages.map((r) => r.messageId);
    expect(first).toMatch(/^msg_/);
    expect(second).toMatch(/^msg_/);
    expect(first).not.toBe(second);
  });

  describe('keys', () => {
    const lookups: Array<{ userId: string; provider: ModelProvider }> = [];
    const lookupStoredKey: StoredKeyLookup = async (query) => {
      lookups.push(query);
      return query.userId === 'user-with-key' ? STORED_KEY : undefined;
    };
    const registry = () => ModelProviders.fromEnv({ ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: KEY }, { lookupStoredKey });
    const keyOfLastCall = () => server.messages.at(-1)?.headers['x-api-key'];

    beforeEach(() => {
      lookups.length = 0;
      server.setDefaultReply({ kind: 'text', text: 'ok' });
    });

    it('uses the request key, then the stored key, then the environment key', async () => {
      await completeChat(await registry().create({ provider: 'anthropic', model: MODEL, apiKey: REQUEST_KEY, userId: 'user-with-key' }), 'hi');
      expect(keyOfLastCall()).toBe(REQUEST_KEY);
      expect(lookups).toEqual([]);
      await completeChat(await registry().create({ provider: 'anthropic', model: MODEL, userId: 'user-with-key' }), 'hi');
      expect(keyOfLastCall()).toBe(STORED_KEY);
      expect(lookups).toEqual([{ userId: 'user-with-key', provider: 'anthropic' }]);
      const fromEnv = await registry().create({ provider: 'anthropic', model: MODEL, userId: 'user-without-key' });
      await completeChat(fromEnv, 'hi');
      expect(keyOfLastCall()).toBe(KEY);
      expect(describeModel(fromEnv)?.keySource).toBe('environment');
    });

    it("never sends the process's OpenAI or Anthropic variables, only the key it resolved", async () => {
      const names = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL'] as const;
      const saved = names.map((name) => process.env[name]);
      process.env.OPENAI_API_KEY = OPENAI_KEY;
      process.env.ANTHROPIC_API_KEY = 'sk-ant-process-0123456789';
      process.env.ANTHROPIC_AUTH_TOKEN = 'sk-ant-token-0123456789';
      process.env.ANTHROPIC_BASE_URL = 'http://127.0.0.1:9';
      try {
        const bare = ModelProviders.fromEnv({ ANTHROPIC_BASE_URL: server.baseUrl });
        const missing = await bare.create({ provider: 'anthropic', model: MODEL }).then(
          () => undefined,
          (e: unknown) => e as ModelConfigurationError,
        );
        expect(missing?.reason).toBe('missing-api-key');
        expect(missing?.message).toContain('ANTHROPIC_API_KEY');
        await completeChat(await bare.create({ provider: 'anthropic', model: MODEL, apiKey: REQUEST_KEY, maxRetries: 0 }), 'hi');
        const [request] = server.messages;
        expect(request.headers['x-api-key']).toBe(REQUEST_KEY);
        expect(request.headers.authorization).toBeUndefined();
        expect(JSON.stringify(request.headers)).not.toContain(OPENAI_KEY);
      } finally {
        names.forEach((name, i) => {
          if (saved[i] === undefined) delete process.env[name];
          else process.env[name] = saved[i];
        });
      }
    });

    it('never shows the key when the model is serialised', async () => {
      const created = await registry().create({ provider: 'anthropic', model: MODEL, apiKey: REQUEST_KEY });
      expect(JSON.stringify(created)).not.toContain(REQUEST_KEY);
      expect(JSON.stringify(describeModel(created))).not.toContain(REQUEST_KEY);
    });
  });

  describe('cancellation and timeouts', () => {
    it('stops the HTTP request when the signal aborts mid-stream', async () => {
      server.replyText(Array.from({ length: 40 }, (_, i) => `t${i} `), { chunkDelayMs: 25 });
      const controller = new AbortController();
      const seen: string[] = [];
      const failure = await failureOf(
        (async () => {
          for await (const delta of streamChat(await model(), 'Count slowly', { signal: controller.signal })) {
            if (delta.type === 'text') seen.push(delta.text);
            if (seen.length === 2) controller.abort();
          }
        })(),
      );
      expect(failure.kind).toBe('aborted');
      const [request] = server.messages;
      await server.waitForDisconnect(request);
      expect(request.clientDisconnected).toBe(true);
      expect(request.finished).toBe(false);
      expect(request.chunksSent).toBeLessThan(40);
      expect(seen).toEqual(['t0 ', 't1 ']);
    });

    it('stops the HTTP request when the consumer leaves the loop early', async () => {
      server.replyText(['a ', 'b ', 'c ', 'd '], { stallAfterChunks: 2 });
      for await (const delta of streamChat(await model(), 'hi')) {
        if (delta.type === 'text') break;
      }
      await server.waitForDisconnect(server.messages[0]);
      expect(server.messages[0].clientDisconnected).toBe(true);
    });

    it('aborts a plain completion too', async () => {
      server.reply({ kind: 'hang' });
      const controller = new AbortController();
      const pending = failureOf(completeChat(await model(), 'hi', { signal: controller.signal }));
      await server.waitForMessages(1);
      controller.abort();
      expect((await pending).kind).toBe('aborted');
      await server.waitForDisconnect(server.messages[0]);
    });

    it('times out a provider that never answers, and a stream that stalls', async () => {
      server.reply({ kind: 'hang' });
      expect((await failureOf(collect(streamChat(await model({ timeoutMs: 300 }), 'hi')))).kind).toBe('timeout');
      await server.waitForDisconnect(server.messages[0]);
      server.replyText(['one ', 'two '], { stallAfterChunks: 1 });
      expect((await failureOf(collect(streamChat(await model(), 'hi', { timeoutMs: 250 })))).kind).toBe('timeout');
      await server.waitForDisconnect(server.messages[1]);
    });
  });

  describe('provider errors surface typed, without the key', () => {
    it('401: the key was refused', async () => {
      server.requireApiKey('sk-ant-the-right-one-0000');
      const failure = await failureOf(collect(streamChat(await model(), 'hi')));
      expect(failure).toMatchObject({ kind: 'authentication', status: 401, provider: 'anthropic', retryable: false, code: ErrorCode.UNAVAILABLE });
      expect(failure.message).toContain('refused the API key');
      // The fake echoes the key it got; none of it may come out.
      for (const text of [failure.message, JSON.stringify(failure.toBody()), String(failure.stack), JSON.stringify(failure)]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain('secretsecret');
      }
    });

    it('429: rate limited, retryable', async () => {
      server.replyError(429, 'Number of request tokens has exceeded your per-minute rate limit', { headers: { 'retry-after': '1' } });
      const failure = await failureOf(completeChat(await model(), 'hi'));
      expect(failure).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, code: ErrorCode.RATE_LIMITED });
      expect(failure.message).toContain('per-minute rate limit');
    });

    it('500 and 529: the provider failed, summarised and scrubbed', async () => {
      server.replyError(500, `upstream exploded while using ${KEY}`).replyError(529);
      const failure = await failureOf(collect(streamChat(await model(), 'hi')));
      expect(failure).toMatchObject({ kind: 'server', status: 500, retryable: true });
      expect(failure.message).toContain('upstream exploded');
      expect(failure.message).not.toContain(KEY);
      expect(await failureOf(completeChat(await model(), 'hi'))).toMatchObject({ kind: 'server', status: 529 });
    });

    it('400: the request was rejected', async () => {
      server.replyError(400, 'max_tokens: 999999 > 64000, which is the maximum allowed');
      expect(await failureOf(completeChat(await model(), 'hi'))).toMatchObject({ kind: 'bad_request', status: 400, code: ErrorCode.VALIDATION_FAILED });
    });

    it('an overload reported inside the stream: server failure, text so far delivered', async () => {
      server.replyText(['one ', 'two ', 'three '], { streamError: { afterChunks: 2 } });
      const seen: string[] = [];
      const failure = await failureOf(
        (async () => {
          for await (const delta of streamChat(await model(), 'hi')) if (delta.type === 'text') seen.push(delta.text);
        })(),
      );
      expect(failure).toMatchObject({ kind: 'server', retryable: true });
      expect(failure.message).toContain('Overloaded');
      expect(seen).toEqual(['one ', 'two ']);
    });

    it('a 200 that is not a message: invalid response, streamed or not', async () => {
      server.reply({ kind: 'garbage', body: '<html>gateway</html>', contentType: 'text/html' }, { kind: 'garbage', body: '<html>gateway</html>', contentType: 'text/html' });
      expect((await failureOf(completeChat(await model(), 'hi'))).kind).toBe('invalid_response');
      expect((await failureOf(collect(streamChat(await model(), 'hi')))).kind).toBe('invalid_response');
    });

    it('a stream cut off midway: connection failure', async () => {
      server.replyText(['one ', 'two ', 'three ', 'four '], { dropAfterChunks: 2 });
      expect((await failureOf(collect(streamChat(await model(), 'hi')))).kind).toBe('connection');
    });

    it('nothing listening: connection failure', async () => {
      const offline = ModelProviders.fromEnv({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: KEY });
      const failure = await failureOf(collect(streamChat(await offline.create({ provider: 'anthropic', model: MODEL, maxRetries: 0 }), 'hi')));
      expect(failure).toMatchObject({ kind: 'connection', provider: 'anthropic' });
    });
  });

  describe('cost', () => {
    it('prices Claude models from the defaults, dated snapshots included', async () => {
      const table = PriceTable.of();
      // 1000 x $3/M + 500 x $15/M = 3000 + 7500 micro-dollars.
      expect(table.costOf('anthropic', MODEL, { inputTokens: 1000, outputTokens: 500 })).toEqual({ costMicros: 10_500, priceKnown: true });
      // Haiku 4.5: 600 x $1/M + 400 cache reads x $0.10/M + 100 x $5/M = 600 + 40 + 500.
      expect(table.costOf('anthropic', 'claude-haiku-4-5-20251001', { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 100 }).costMicros).toBe(1140);
      expect(table.costOf('anthropic', 'claude-unknown-9', { inputTokens: 1, outputTokens: 1 }).priceKnown).toBe(false);

      server.replyText('ok', { usage: { inputTokens: 2000, outputTokens: 100 } });
      const { usage } = doneOf(await collect(streamChat(await model({ model: 'claude-opus-4-1-20250805' }), 'hi')));
      // 2000 x $15/M + 100 x $75/M = 30000 + 7500.
      expect(table.costOf('anthropic', 'claude-opus-4-1-20250805', usage!).costMicros).toBe(37_500);
    });
  });
});
