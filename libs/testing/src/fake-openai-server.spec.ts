import { FakeOpenAiServer } from './fake-openai-server.js';

/** Reads an SSE body into its `data:` payloads, as a client would. */
async function sseEvents(response: Response): Promise<string[]> {
  const text = await response.text();
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return frame.slice('data: '.length);
    });
}

describe('FakeOpenAiServer', () => {
  let server: FakeOpenAiServer;

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
  });
  afterEach(() => server.reset());
  afterAll(() => server.stop());

  const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-1', ...headers }, body: JSON.stringify(body), signal });
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] };

  it('answers a plain completion in the API shape, with a unique id per completion, and records the request', async () => {
    server.replyText('Hello world', { usage: { promptTokens: 7, completionTokens: 2 } }).replyText('Again');
    const first = (await (await post(chat)).json()) as any;
    const second = (await (await post(chat)).json()) as any;
    expect(first).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
    expect(first.id).toMatch(/^chatcmpl-/);
    expect(second.id).not.toBe(first.id);
    expect(server.completions).toHaveLength(2);
    expect(server.completions[0]).toMatchObject({ method: 'POST', body: chat, completionId: first.id, finished: true, clientDisconnected: false });
    expect(server.completions[0].headers.authorization).toBe('Bearer sk-test-1');
  });

  it('streams SSE chunks in order, then the usage chunk when asked for, then [DONE]', async () => {
    server.replyText(['Hel', 'lo', '!'], { usage: { promptTokens: 3, completionTokens: 3 } });
    const response = await post({ ...chat, stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await sseEvents(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.flatMap((c) => c.choices.map((ch: any) => ch.delta.content ?? '')).join('')).toBe('Hello!');
    expect(chunks.slice(1, 4).map((c) => c.choices[0].delta.content)).toEqual(['Hel', 'lo', '!']);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
  });

  it('leaves the usage chunk out unless stream_options.include_usage is set', async () => {
    server.replyText('no usage here');
    const events = await sseEvents(await post({ ...chat, stream: true }));
    expect(events.slice(0, -1).map((e) => JSON.parse(e)).some((c) => 'usage' in c)).toBe(false);
  });

  it('streams a tool call in argument fragments that join into the JSON arguments', async () => {
    server.replyToolCalls([{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris', unit: 'c' }, fragments: 4 }]);
    const events = await sseEvents(await post({ ...chat, stream: true }));
    const deltas = events.slice(0, -1).map((e) => JSON.parse(e).choices[0]);
    const toolParts = deltas.flatMap((d) => d.delta.tool_calls ?? []);
    expect(toolParts[0]).toMatchObject({ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(toolParts.length).toBe(5);
    expect(JSON.parse(toolParts.map((p: any) => p.function.arguments).join(''))).toEqual({ city: 'Paris', unit: 'c' });
    expect(deltas.at(-1).finish_reason).toBe('tool_calls');
  });

  it('answers scripted errors in the OpenAI error shape, and 500 when nothing is scripted', async () => {
    server.replyError(429, undefined, { headers: { 'retry-after': '1' } });
    const limited = await post(chat);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(((await limited.json()) as any).error).toMatchObject({ type: 'requests', message: expect.any(String) });
    const unscripted = await post(chat);
    expect(unscripted.status).toBe(500);
    expect(((await unscripted.json()) as any).error.code).toBe('no_script');
  });

  it('checks the key when told to, echoing the wrong one as careless providers do', async () => {
    server.requireApiKey('sk-right').setDefaultReply({ kind: 'text', text: 'ok' });
    const wrong = await post(chat, { authorization: 'Bearer sk-wrong' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.message).toContain('sk-wrong');
    expect((await post(chat, { authorization: 'Bearer sk-right' })).status).toBe(200);
  });

  it('lists models and rejects unknown paths and bodies that are not chat requests', async () => {
    const models = (await (await fetch(`${server.baseUrl}/models`)).json()) as any;
    expect(models.object).toBe('list');
    expect(models.data.map((m: any) => m.id)).toContain('gpt-4o-mini');
    expect((await fetch(`${server.baseUrl}/completions`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/embeddings`, { method: 'POST' })).status).toBe(400);
    expect((await post({ model: 'x' })).status).toBe(400);
  });

  it('answers embeddings: one deterministic unit vector per input, of the asked dimensions', async () => {
    const embed = (body: unknown) => fetch(`${server.baseUrl}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const first = (await (await embed({ model: 'e', input: ['red apples', 'red apples'], dimensions: 8 })).json()) as any;
    expect(first.data.map((d: any) => d.embedding.length)).toEqual([8, 8]);
    expect(first.data[0].embedding).toEqual(first.data[1].embedding);
    expect(Math.hypot(...(first.data[0].embedding as number[]))).toBeCloseTo(1, 6);
    server.failEmbeddings(429);
    expect((await embed({ model: 'e', input: 'x' })).status).toBe(429);
    expect((await embed({ model: 'e', input: 'x' })).status).toBe(200);
    expect(server.embeddingRequests).toHaveLength(3);
  });

  it('notices a client that hangs up on a stalled stream, and a hang that is never answered', async () => {
    server.replyText(['a', 'b', 'c', 'd'], { stallAfterChunks: 2 }).reply({ kind: 'hang' });
    const controller = new AbortController();
    const response = await post({ ...chat, stream: true }, {}, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const [stalled] = server.completions;
    await server.waitForDisconnect(stalled);
    expect(stalled).toMatchObject({ clientDisconnected: true, finished: false });
    expect(stalled.chunksSent).toBeLessThanOrEqual(2);

    const hangController = new AbortController();
    const pending = post(chat, {}, hangController.signal).catch((error: unknown) => error);
    await server.waitForCompletions(2);
    hangController.abort();
    await server.waitForDisconnect(server.completions[1]);
    expect(((await pending) as { name?: string }).name).toBe('AbortError');
  });

  it('paces a slow stream by its chunk delay', async () => {
    server.replyText(['1', '2', '3', '4'], { chunkDelayMs: 40 });
    const started = Date.now();
    await sseEvents(await post({ ...chat, stream: true }));
    // Four pauses of 40 ms; the bound is loose so a busy machine does not fail it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('answers from a function when the reply depends on the request', async () => {
    server.setDefaultReply((request) => ({ kind: 'text', text: `echo: ${request.body.messages.at(-1).content}` }));
    const body = (await (await post(chat)).json()) as any;
    expect(body.choices[0].message.content).toBe('echo: hello there');
  });
});
