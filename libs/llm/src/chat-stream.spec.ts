import { HumanMessage, ToolMessage } from '@langchain/core/messages';
import { ErrorCode } from '#contracts';
import { FakeOpenAiServer } from '#testing';
import { type ChatDelta, completeChat, streamChat } from './chat-stream.js';
import { ModelProviders, type CreateModelInput } from './model-providers.js';
import { collect, failureOf, weatherTool } from '../test/chat-helpers.js';

const KEY = 'sk-secret-abcdefghijklmnop';


describe('streamChat and completeChat against an OpenAI-compatible server', () => {
  let server: FakeOpenAiServer;
  let providers: ModelProviders;

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
    providers = ModelProviders.fromEnv({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: KEY });
  });
  afterEach(() => server.reset());
  afterAll(() => server.stop());

  const model = (extra: Partial<CreateModelInput> = {}) => providers.create({ provider: 'openai', model: 'gpt-4o-mini', maxRetries: 0, ...extra });

  it('returns a plain completion with its usage', async () => {
    server.replyText('Paris is the capital.', { usage: { promptTokens: 12, completionTokens: 5, cachedTokens: 4 } });
    const result = await completeChat(await model(), [new HumanMessage('Capital of France?')]);
    expect(result.text).toBe('Paris is the capital.');
    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 5, cachedInputTokens: 4 });
    expect(result.finishReason).toBe('stop');
    expect(result.toolCalls).toEqual([]);
    expect(server.completions[0].body.stream).toBeFalsy();
    expect(server.completions[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('streams text deltas in order, then usage and the done result', async () => {
    server.replyText(['The ', 'answer ', 'is ', '42.'], { usage: { promptTokens: 9, completionTokens: 4 } });
    const deltas = await collect(streamChat(await model(), 'What is the answer?'));
    expect(deltas.filter((d) => d.type === 'text').map((d) => (d as { text: string }).text)).toEqual(['The ', 'answer ', 'is ', '42.']);
    expect(deltas.slice(-2).map((d) => d.type)).toEqual(['usage', 'done']);
    const done = deltas.at(-1) as Extract<ChatDelta, { type: 'done' }>;
    expect(done.result).toMatchObject({ text: 'The answer is 42.', usage: { inputTokens: 9, outputTokens: 4 }, finishReason: 'stop', responseModel: 'gpt-4o-mini' });
    expect(done.result.message.content).toBe('The answer is 42.');
    expect(server.completions[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('assembles tool calls streamed in fragments into whole calls with parsed arguments', async () => {
    server.replyToolCalls([
      { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris', unit: 'c' }, fragments: 5 },
      { id: 'call_b', name: 'get_weather', arguments: { city: 'Oslo' }, fragments: 3 },
      { id: 'call_c', name: 'get_weather', arguments: '{"city": "Ber', fragments: 2 },
    ]);
    const deltas = await collect(streamChat(await model(), 'Weather in Paris and Oslo?', { tools: [weatherTool] }));
    const calls = deltas.filter((d) => d.type === 'tool_call').map((d) => (d as Extract<ChatDelta, { type: 'tool_call' }>).toolCall);
    expect(calls).toEqual([
      { id: 'call_a', name: 'get_weather', args: { city: 'Paris', unit: 'c' } },
      { id: 'call_b', name: 'get_weather', args: { city: 'Oslo' } },
    ]);
    const invalid = deltas.filter((d) => d.type === 'invalid_tool_call').map((d) => (d as Extract<ChatDelta, { type: 'invalid_tool_call' }>).toolCall);
    expect(invalid).toEqual([{ id: 'call_c', name: 'get_weather', rawArgs: '{"city": "Ber', error: 'arguments are not valid JSON' }]);
    const { result } = deltas.at(-1) as Extract<ChatDelta, { type: 'done' }>;
    expect(result.finishReason).toBe('tool_calls');
    expect(result.message.tool_calls?.map((c) => c.id)).toEqual(['call_a', 'call_b']);
    expect(server.completions[0].body.tools[0].function.name).toBe('get_weather');

    // The assembled message goes back into the history with the tool results, as the loop will do.
    server.replyText('Sunny in both.');
    const followUp = await completeChat(await model(), [
      new HumanMessage('Weather in Paris and Oslo?'),
      result.message,
      new ToolMessage({ tool_call_id: 'call_a', content: '21C sunny' }),
      new ToolMessage({ tool_call_id: 'call_b', content: '12C sunny' }),
    ]);
    expect(followUp.text).toBe('Sunny in both.');
    const sent = server.completions[1].body.messages;
    expect(sent[1].tool_calls.map((c: any) => [c.id, JSON.parse(c.function.arguments)])).toEqual([
      ['call_a', { city: 'Paris', unit: 'c' }],
      ['call_b', { city: 'Oslo' }],
    ]);
    expect(sent.slice(2).map((m: any) => [m.role, m.tool_call_id])).toEqual([
      ['tool', 'call_a'],
      ['tool', 'call_b'],
    ]);
  });

  it('returns tool calls from a plain completion too', async () => {
    server.replyToolCalls([{ id: 'call_x', name: 'get_weather', arguments: { city: 'Rome' } }]);
    const result = await completeChat(await model(), 'Weather in Rome?', { tools: [weatherTool], toolChoice: 'auto' });
    expect(result.toolCalls).toEqual([{ id: 'call_x', name: 'get_weather', args: { city: 'Rome' } }]);
  });

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
    expect(failure.retryable).toBe(false);
    const [request] = server.completions;
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
    const [request] = server.completions;
    await server.waitForDisconnect(request);
    expect(request.clientDisconnected).toBe(true);
  });

  it('fails at once, without a request, when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failureOf(collect(streamChat(await model(), 'hi', { signal: controller.signal })))).kind).toBe('aborted');
    expect((await failureOf(completeChat(await model(), 'hi', { signal: controller.signal }))).kind).toBe('aborted');
    expect(server.completions).toHaveLength(0);
  });

  it('times out a provider that never answers', async () => {
    server.reply({ kind: 'hang' });
    const failure = await failureOf(collect(streamChat(await model({ timeoutMs: 300 }), 'hi')));
    expect(failure.kind).toBe('timeout');
    expect(failure.code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    await server.waitForDisconnect(server.completions[0]);
  });

  it('times out a stream that stalls between chunks, and stops its request', async () => {
    server.replyText(['one ', 'two ', 'three '], { stallAfterChunks: 1 });
    const texts: string[] = [];
    const failure = await failureOf(
      (async () => {
        for await (const delta of streamChat(await model(), 'hi', { timeoutMs: 250 })) if (delta.type === 'text') texts.push(delta.text);
      })(),
    );
    expect(failure.kind).toBe('timeout');
    expect(texts).toEqual(['one ']);
    await server.waitForDisconnect(server.completions[0]);
  });

  describe('provider errors surface typed, without the key', () => {
    it('401: the key was refused', async () => {
      server.requireApiKey('sk-the-right-one-0000');
      const failure = await failureOf(collect(streamChat(await model(), 'hi')));
      expect(failure).toMatchObject({ kind: 'authentication', status: 401, provider: 'openai', retryable: false, code: ErrorCode.UNAVAILABLE });
      // The fake server echoes the key it got, as some providers do; none of it may come out.
      expect(failure.message).toContain('refused the API key');
      for (const text of [failure.message, JSON.stringify(failure.toBody()), String(failure.stack), JSON.stringify(failure)]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain('abcdefghijklmnop');
      }
    });

    it('429: rate limited, retryable', async () => {
      server.replyError(429, 'Rate limit reached for gpt-4o-mini');
      const failure = await failureOf(completeChat(await model(), 'hi'));
      expect(failure).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, code: ErrorCode.RATE_LIMITED });
      expect(failure.message).toContain('Rate limit reached');
    });

    it('500: the provider failed, summarised', async () => {
      server.replyError(500, `upstream exploded while using Bearer ${KEY}`);
      const failure = await failureOf(collect(streamChat(await model(), 'hi')));
      expect(failure).toMatchObject({ kind: 'server', status: 500, retryable: true });
      expect(failure.message).toContain('upstream exploded');
      expect(failure.message).not.toContain(KEY);
    });

    it('retries a 500 inside the call when retries are allowed', async () => {
      server.replyError(500).replyText('recovered');
      const result = await completeChat(await model({ maxRetries: 1 }), 'hi');
      expect(result.text).toBe('recovered');
      expect(server.completions).toHaveLength(2);
    });

    it('a 200 that is not a completion: invalid response', async () => {
      server.reply({ kind: 'garbage', body: '<html>gateway</html>', contentType: 'text/html' });
      const failure = await failureOf(completeChat(await model(), 'hi'));
      expect(failure.kind).toBe('invalid_response');
    });

    it('a streamed 200 that is not a completion: invalid response, not an empty answer', async () => {
      server.reply({ kind: 'garbage', body: '<html>gateway</html>', contentType: 'text/html' });
      const failure = await failureOf(
        (async () => {
          for await (const delta of streamChat(await model(), 'hi')) void delta;
        })(),
      );
      expect(failure.kind).toBe('invalid_response');
    });

    it('a stream cut off midway: connection failure, with the text so far already delivered', async () => {
      server.replyText(['one ', 'two ', 'three ', 'four '], { dropAfterChunks: 2 });
      const texts: string[] = [];
      const failure = await failureOf(
        (async () => {
          for await (const delta of streamChat(await model(), 'hi')) if (delta.type === 'text') texts.push(delta.text);
        })(),
      );
      expect(failure.kind).toBe('connection');
      expect(texts).toEqual(['one ', 'two ']);
    });

    it('nothing listening: connection failure', async () => {
      const offline = ModelProviders.fromEnv({ OLLAMA_BASE_URL: 'http://127.0.0.1:9/v1' });
      const failure = await failureOf(collect(streamChat(await offline.create({ provider: 'ollama', model: 'm', maxRetries: 0 }), 'hi')));
      expect(failure.kind).toBe('connection');
      expect(failure.provider).toBe('ollama');
    });
  });
});
