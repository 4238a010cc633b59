import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { estimateTokens, type RecordedExchange, ScriptedHttpServer, split, textPieces } from './scripted-http-server.js';

/** Token counts a scripted reply reports; unset fields are estimated from the text. */
export interface FakeUsage {
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
}

export interface FakeToolCall {
  name: string;
  /** An object is serialised; a string is sent as is (so a test can send broken JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
  /** Pieces the arguments are streamed in (at least 1). Default 3, as OpenAI splits them. */
  fragments?: number;
}

interface StreamPacing {
  /** Pause before each streamed chunk after the first. */
  chunkDelayMs?: number;
  /** Stream this many content chunks, then stall without ending until the client goes away. */
  stallAfterChunks?: number;
  /** Stream this many content chunks, then cut the connection, as a crashing provider does. */
  dropAfterChunks?: number;
}

export type FakeReply =
  | ({ kind: 'text'; text: string | string[]; usage?: FakeUsage; finishReason?: 'stop' | 'length'; model?: string } & StreamPacing)
  | ({ kind: 'tool_calls'; calls: FakeToolCall[]; text?: string; usage?: FakeUsage } & StreamPacing)
  | { kind: 'error'; status: number; message?: string; type?: string; code?: string; headers?: Record<string, string> }
  /** Reads the request and never answers: for timeouts and cancellation. */
  | { kind: 'hang' }
  /** A 200 whose body is not what the API promises. */
  | { kind: 'garbage'; body: string; contentType?: string };

export type FakeResponder = FakeReply | ((request: RecordedRequest) => FakeReply);

export interface RecordedRequest extends RecordedExchange {
  /** The id the completion answered with, unique per completion. */
  completionId?: string;
}

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'fake-model'];

/**
 * An OpenAI-compatible Chat Completions server on a real socket, close enough to the real API that
 * the OpenAI SDK and @langchain/openai work against it unmodified: JSON and SSE replies (with the
 * `stream_options.include_usage` usage chunk and `data: [DONE]`), tool calls streamed in argument
 * fragments, OpenAI-shaped errors. Replies are scripted per test as a queue; every request is
 * recorded, and a client hanging up mid-response is noticed, which is how cancellation is tested.
 */
export class FakeOpenAiServer extends ScriptedHttpServer<FakeReply, RecordedRequest> {
  models: string[] = [...DEFAULT_MODELS];

  /** On 127.0.0.1, at a random port unless one is given (a bench running it as a process). Base URL includes /v1, as the OpenAI SDK wants it. */
  static async start(options: { port?: number } = {}): Promise<FakeOpenAiServer> {
    const { server, origin } = await ScriptedHttpServer.listen(options.port);
    return new FakeOpenAiServer(server, `${origin}/v1`);
  }

  replyText(text: string | string[], options: Omit<Extract<FakeReply, { kind: 'text' }>, 'kind' | 'text'> = {}): this {
    return this.reply({ kind: 'text', text, ...options });
  }

  replyToolCalls(calls: FakeToolCall[], options: Omit<Extract<FakeReply, { kind: 'tool_calls' }>, 'kind' | 'calls'> = {}): this {
    return this.reply({ kind: 'tool_calls', calls, ...options });
  }

  replyError(status: number, message?: string, extra: Omit<Extract<FakeReply, { kind: 'error' }>, 'kind' | 'status' | 'message'> = {}): this {
    return this.reply({ kind: 'error', status, message, ...extra });
  }

  /** Vector length of /v1/embeddings answers when the request names no `dimensions`. */
  embeddingDimensions = 16;
  private readonly embeddingFailures: Array<{ status: number; message?: string }> = [];

  /** The next `times` /v1/embeddings requests fail with this status (then vectors again). */
  failEmbeddings(status: number, times = 1, message?: string): this {
    for (let i = 0; i < times; i++) this.embeddingFailures.push({ status, message });
    return this;
  }

  /** /v1/embeddings requests. */
  get embeddingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1/embeddings');
  }

  /** Chat completion requests only (not /v1/models). */
  get completions(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1/chat/completions');
  }

  /** Resolves once `count` chat completion requests have arrived. */
  waitForCompletions(count: number): Promise<void> {
    return this.waitForScripted(count);
  }

  protected scripted(): RecordedRequest[] {
    return this.completions;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const record = await this.receive(req, res);
    const { path, body } = record;
    if (req.method === 'GET' && path === '/v1/models') {
      return this.json(res, record, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) });
    }
    if (req.method === 'POST' && path === '/v1/embeddings') return this.embeddings(req, res, record);
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return this.json(res, record, 404, errorBody(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'));
    }
    this.arrived();
    if (this.requiredApiKey !== undefined && req.headers.authorization !== `Bearer ${this.requiredApiKey}`) {
      const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return this.json(res, record, 401, errorBody(`Incorrect API key provided: ${sent}. You can find your API key in your account.`, 'invalid_request_error', 'invalid_api_key'));
    }
    if (!isChatRequest(body)) {
      return this.json(res, record, 400, errorBody("'messages' and 'model' are required properties", 'invalid_request_error', 'invalid_request'));
    }
    const reply = this.nextReply(record);
    if (reply === undefined) {
      return this.json(res, record, 500, errorBody('fake server: no reply scripted for this request', 'server_error', 'no_script'));
    }
    switch (reply.kind) {
      case 'hang':
        return;
      case 'garbage':
        return this.garbage(res, record, reply.body, reply.contentType);
      case 'error':
        res.setHeader('x-request-id', `req_${randomBytes(8).toString('hex')}`);
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        return this.json(res, record, reply.status, errorBody(reply.message ?? defaultErrorMessage(reply.status), reply.type ?? errorType(reply.status), reply.code ?? null));
      case 'text':
      case 'tool_calls':
        record.completionId = `chatcmpl-${randomBytes(12).toString('base64url')}`;
        if (body.stream === true) return this.stream(res, record, body, reply);
        return this.json(res, record, 200, completionBody(record.completionId, body, reply));
    }
  }

  /**
   * OpenAI's embeddings API: one vector per input, deterministic (words hashed into the
   * dimensions, L2-normalised), so texts sharing words come out close.
   */
  private embeddings(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest): void {
    if (this.requiredApiKey !== undefined && req.headers.authorization !== `Bearer ${this.requiredApiKey}`) {
      return this.json(res, record, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    }
    const failure = this.embeddingFailures.shift();
    if (failure) return this.json(res, record, failure.status, errorBody(failure.message ?? defaultErrorMessage(failure.status), errorType(failure.status), null));
    const body = (record.body ?? {}) as { model?: unknown; input?: unknown; dimensions?: unknown };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (typeof body.model !== 'string' || !Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string')) {
      return this.json(res, record, 400, errorBody("'input' and 'model' are required properties", 'invalid_request_error', 'invalid_request'));
    }
    const dims = typeof body.dimensions === 'number' ? body.dimensions : this.embeddingDimensions;
    const data = (inputs as string[]).map((text, index) => ({ object: 'embedding', index, embedding: wordVector(text, dims) }));
    const tokens = (inputs as string[]).reduce((sum, text) => sum + estimateTokens(text), 0);
    return this.json(res, record, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  private async stream(res: http.ServerResponse, record: RecordedRequest, request: ChatRequest, reply: Extract<FakeReply, { kind: 'text' | 'tool_calls' }>): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': `req_${randomBytes(8).toString('hex')}` });
    const model = (reply.kind === 'text' ? reply.model : undefined) ?? request.model;
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = request.stream_options?.include_usage === true;
    const frame = (choices: unknown[], usage?: unknown) => ({
      id: record.completionId,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices,
      ...(includeUsage ? { usage: usage ?? null } : {}),
    });
    const delta = (d: Record<string, unknown>, finishReason: string | null = null) => frame([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);
    const write = (data: unknown) => {
      if (!record.clientDisconnected) res.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    const pieces: Array<Record<string, unknown>> = [];
    if (reply.kind === 'text') {
      for (const text of textPieces(reply.text)) pieces.push({ content: text });
    } else {
      if (reply.text) pieces.push({ content: reply.text });
      reply.calls.forEach((call, index) => {
        const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
        pieces.push({ tool_calls: [{ index, id: call.id ?? `call_${randomBytes(9).toString('base64url')}`, type: 'function', function: { name: call.name, arguments: '' } }] });
        for (const fragment of split(args, Math.max(1, call.fragments ?? 3))) pieces.push({ tool_calls: [{ index, function: { arguments: fragment } }] });
      });
    }

    write(delta({ role: 'assistant', content: reply.kind === 'text' ? '' : null, refusal: null }));
    for (const piece of pieces) {
      if (reply.stallAfterChunks !== undefined && record.chunksSent >= reply.stallAfterChunks) return;
      if (reply.dropAfterChunks !== undefined && record.chunksSent >= reply.dropAfterChunks) {
        // Let what was written reach the client first, so it sees a partial answer, then the cut.
        await this.sleep(20);
        res.socket?.destroy();
        return;
      }
      if (reply.chunkDelayMs) await this.sleep(reply.chunkDelayMs);
      if (record.clientDisconnected) return;
      write(delta(piece));
      record.chunksSent += 1;
    }
    const finishReason = reply.kind === 'text' ? (reply.finishReason ?? 'stop') : 'tool_calls';
    write(delta({}, finishReason));
    if (includeUsage) write(frame([], usageBody(request, reply)));
    if (record.clientDisconnected) return;
    res.end('data: [DONE]\n\n');
    record.finished = true;
  }
}

interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content?: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

function isChatRequest(body: unknown): body is ChatRequest {
  const candidate = body as Partial<ChatRequest> | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.model === 'string' && Array.isArray(candidate.messages) && candidate.messages.length > 0;
}

function errorBody(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

function errorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return 'Rate limit reached for requests. Please try again later.';
  if (status >= 500) return 'The server had an error while processing your request. Sorry about that!';
  return `Request failed with status ${status}`;
}

function usageBody(request: ChatRequest, reply: Extract<FakeReply, { kind: 'text' | 'tool_calls' }>) {
  const promptText = request.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))).join('\n');
  const completionText = reply.kind === 'text' ? textPieces(reply.text).join('') : JSON.stringify(reply.calls) + (reply.text ?? '');
  const prompt = reply.usage?.promptTokens ?? estimateTokens(promptText);
  const completion = reply.usage?.completionTokens ?? estimateTokens(completionText);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: reply.usage?.cachedTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function completionBody(id: string, request: ChatRequest, reply: Extract<FakeReply, { kind: 'text' | 'tool_calls' }>) {
  const message =
    reply.kind === 'text'
      ? { role: 'assistant', content: textPieces(reply.text).join(''), refusal: null }
      : {
          role: 'assistant',
          content: reply.text ?? null,
          refusal: null,
          tool_calls: reply.calls.map((call) => ({
            id: call.id ?? `call_${randomBytes(9).toString('base64url')}`,
            type: 'function',
            function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
          })),
        };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: (reply.kind === 'text' ? reply.model : undefined) ?? request.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.kind === 'text' ? (reply.finishReason ?? 'stop') : 'tool_calls' }],
    usage: usageBody(request, reply),
  };
}

function wordVector(text: string, dims: number): number[] {
  const vector = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let hash = 0;
    for (let i = 0; i < word.length; i++) hash = (Math.imul(hash, 31) + word.charCodeAt(i)) >>> 0;
    vector[hash % dims] += 1;
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}
