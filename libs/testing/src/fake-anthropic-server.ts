import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { estimateTokens, type RecordedExchange, ScriptedHttpServer, split, textPieces } from './scripted-http-server.js';

/** Token counts a scripted reply reports; unset fields are estimated from the text. */
export interface FakeAnthropicUsage {
  /** Uncached prompt tokens, as Anthropic counts `input_tokens` (cache reads are separate). */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
}

export interface FakeToolUse {
  name: string;
  /** An object is serialised; a string is sent as is (so a test can send broken JSON). */
  input: Record<string, unknown> | string;
  id?: string;
  /** Pieces the input JSON is streamed in as `input_json_delta` (at least 1). Default 3. */
  fragments?: number;
}

interface AnthropicStreamPacing {
  /** Pause before each streamed delta after the first. */
  chunkDelayMs?: number;
  /** Stream this many deltas, then stall without ending until the client goes away. */
  stallAfterChunks?: number;
  /** Stream this many deltas, then cut the connection, as a crashing provider does. */
  dropAfterChunks?: number;
  /** Stream this many deltas, then send an SSE `error` event (Anthropic's mid-stream overload). */
  streamError?: { afterChunks: number; type?: string; message?: string };
}

export type FakeAnthropicReply =
  | ({ kind: 'text'; text: string | string[]; usage?: FakeAnthropicUsage; stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence'; stopSequence?: string; model?: string } & AnthropicStreamPacing)
  | ({ kind: 'tool_use'; calls: FakeToolUse[]; text?: string; usage?: FakeAnthropicUsage } & AnthropicStreamPacing)
  | { kind: 'error'; status: number; message?: string; type?: string; headers?: Record<string, string> }
  /** Reads the request and never answers: for timeouts and cancellation. */
  | { kind: 'hang' }
  /** A 200 whose body is not what the API promises. */
  | { kind: 'garbage'; body: string; contentType?: string };

export type FakeAnthropicResponder = FakeAnthropicReply | ((request: RecordedAnthropicRequest) => FakeAnthropicReply);

export interface RecordedAnthropicRequest extends RecordedExchange {
  /** The message id the reply carried, unique per reply. */
  messageId?: string;
}

type ContentReply = Extract<FakeAnthropicReply, { kind: 'text' | 'tool_use' }>;

/**
 * An Anthropic Messages API server on a real socket, close enough to the real one that
 * `@anthropic-ai/sdk` and @langchain/anthropic work against it unmodified: `POST /v1/messages` as
 * JSON or as the SSE event sequence (message_start, content_block_start/delta/stop with text and
 * `input_json_delta` fragments, message_delta with the stop reason and output tokens,
 * message_stop), the `x-api-key` and `anthropic-version` headers, Anthropic-shaped errors.
 * Replies are scripted per test as a queue; every request is recorded and a client hanging up
 * mid-response is noticed, which is how cancellation is tested.
 */
export class FakeAnthropicServer extends ScriptedHttpServer<FakeAnthropicReply, RecordedAnthropicRequest> {
  /** On 127.0.0.1, at a random port unless one is given. Its base URL is the API root without /v1, as the Anthropic SDK wants it. */
  static async start(options: { port?: number } = {}): Promise<FakeAnthropicServer> {
    const { server, origin } = await ScriptedHttpServer.listen(options.port);
    return new FakeAnthropicServer(server, origin);
  }

  replyText(text: string | string[], options: Omit<Extract<FakeAnthropicReply, { kind: 'text' }>, 'kind' | 'text'> = {}): this {
    return this.reply({ kind: 'text', text, ...options });
  }

  replyToolUse(calls: FakeToolUse[], options: Omit<Extract<FakeAnthropicReply, { kind: 'tool_use' }>, 'kind' | 'calls'> = {}): this {
    return this.reply({ kind: 'tool_use', calls, ...options });
  }

  replyError(status: number, message?: string, extra: Omit<Extract<FakeAnthropicReply, { kind: 'error' }>, 'kind' | 'status' | 'message'> = {}): this {
    return this.reply({ kind: 'error', status, message, ...extra });
  }

  /** `POST /v1/messages` requests only. */
  get messages(): RecordedAnthropicRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
  }

  /** Resolves once `count` message requests have arrived. */
  waitForMessages(count: number): Promise<void> {
    return this.waitForScripted(count);
  }

  protected scripted(): RecordedAnthropicRequest[] {
    return this.messages;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const record = await this.receive(req, res);
    const { path, body } = record;
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return this.json(res, record, 404, errorBody('not_found_error', `Not found: ${req.method} ${path}`));
    }
    this.arrived();
    const sentKey = headerOf(req, 'x-api-key');
    if (sentKey === undefined && this.requiredApiKey !== undefined) {
      return this.json(res, record, 401, errorBody('authentication_error', 'x-api-key header is required'));
    }
    if (this.requiredApiKey !== undefined && sentKey !== this.requiredApiKey) {
      return this.json(res, record, 401, errorBody('authentication_error', `invalid x-api-key: ${sentKey}`));
    }
    if (headerOf(req, 'anthropic-version') === undefined) {
      return this.json(res, record, 400, errorBody('invalid_request_error', 'anthropic-version: header is required'));
    }
    const invalid = requestProblem(body);
    if (invalid !== undefined || !isMessagesRequest(body)) {
      return this.json(res, record, 400, errorBody('invalid_request_error', invalid ?? 'invalid request'));
    }
    const reply = this.nextReply(record);
    if (reply === undefined) return this.json(res, record, 500, errorBody('api_error', 'fake server: no reply scripted for this request'));
    switch (reply.kind) {
      case 'hang':
        return;
      case 'garbage':
        return this.garbage(res, record, reply.body, reply.contentType);
      case 'error':
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        return this.json(res, record, reply.status, errorBody(reply.type ?? errorType(reply.status), reply.message ?? defaultErrorMessage(reply.status)));
      case 'text':
      case 'tool_use': {
        record.messageId = `msg_${randomBytes(12).toString('base64url')}`;
        const content = contentBlocks(reply);
        if (body.stream === true) return this.stream(res, record, body, reply, content);
        return this.json(res, record, 200, messageBody(record.messageId, body, reply, content));
      }
    }
  }

  /** Every JSON answer carries a `request-id`, as Anthropic's do. */
  protected override json(res: http.ServerResponse, record: RecordedAnthropicRequest, status: number, body: unknown): void {
    super.json(res, record, status, body, { 'request-id': `req_${randomBytes(8).toString('hex')}` });
  }

  private async stream(res: http.ServerResponse, record: RecordedAnthropicRequest, request: MessagesRequest, reply: ContentReply, content: Block[]): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': `req_${randomBytes(8).toString('hex')}` });
    const write = (event: string, data: Record<string, unknown>) => {
      if (!record.clientDisconnected) res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    };
    const usage = usageOf(request, reply);
    write('message_start', {
      message: {
        id: record.messageId,
        type: 'message',
        role: 'assistant',
        model: (reply.kind === 'text' ? reply.model : undefined) ?? request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // As the real API: the prompt counts up front, output so far (1) until message_delta.
        usage: { ...usage, output_tokens: 1 },
      },
    });
    write('ping', {});
    for (const [index, block] of content.entries()) {
      write('content_block_start', { index, content_block: block.type === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const delta of block.deltas) {
        if (reply.stallAfterChunks !== undefined && record.chunksSent >= reply.stallAfterChunks) return;
        if (reply.dropAfterChunks !== undefined && record.chunksSent >= reply.dropAfterChunks) {
          // Let what was written reach the client first, so it sees a partial answer, then the cut.
          await this.sleep(20);
          res.socket?.destroy();
          return;
        }
        if (reply.streamError !== undefined && record.chunksSent >= reply.streamError.afterChunks) {
          write('error', { error: { type: reply.streamError.type ?? 'overloaded_error', message: reply.streamError.message ?? 'Overloaded' } });
          res.end();
          record.finished = true;
          return;
        }
        if (reply.chunkDelayMs && record.chunksSent > 0) await this.sleep(reply.chunkDelayMs);
        if (record.clientDisconnected) return;
        write('content_block_delta', { index, delta: block.type === 'text' ? { type: 'text_delta', text: delta } : { type: 'input_json_delta', partial_json: delta } });
        record.chunksSent += 1;
      }
      write('content_block_stop', { index });
    }
    const { stopReason, stopSequence } = stopOf(reply);
    write('message_delta', { delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: usage.output_tokens } });
    write('message_stop', {});
    if (record.clientDisconnected) return;
    res.end();
    record.finished = true;
  }
}

interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: Array<{ role: string; content: unknown }>;
  system?: unknown;
  stream?: boolean;
}

/** A reply's content blocks, with the pieces each is streamed in. */
type Block = { type: 'text'; text: string; deltas: string[] } | { type: 'tool_use'; id: string; name: string; input: unknown; deltas: string[] };

function headerOf(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function requestProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the request body must be a JSON object';
  const candidate = body as Partial<MessagesRequest>;
  if (typeof candidate.model !== 'string') return 'model: Field required';
  if (typeof candidate.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(candidate.messages) || candidate.messages.length === 0) return 'messages: at least one message is required';
  // The real API rejects a system role inside messages: system text goes in the top-level field.
  if (candidate.messages.some((m) => m?.role !== 'user' && m?.role !== 'assistant')) return 'messages: roles must be "user" or "assistant"';
  return undefined;
}

function isMessagesRequest(body: unknown): body is MessagesRequest {
  return requestProblem(body) === undefined;
}

function contentBlocks(reply: ContentReply): Block[] {
  if (reply.kind === 'text') {
    const deltas = textPieces(reply.text);
    return [{ type: 'text', text: deltas.join(''), deltas }];
  }
  const blocks: Block[] = reply.text ? [{ type: 'text', text: reply.text, deltas: [reply.text] }] : [];
  for (const call of reply.calls) {
    const json = typeof call.input === 'string' ? call.input : JSON.stringify(call.input);
    blocks.push({ type: 'tool_use', id: call.id ?? `toolu_${randomBytes(12).toString('base64url')}`, name: call.name, input: call.input, deltas: split(json, Math.max(1, call.fragments ?? 3)) });
  }
  return blocks;
}

function stopOf(reply: ContentReply): { stopReason: string; stopSequence: string | null } {
  if (reply.kind === 'tool_use') return { stopReason: 'tool_use', stopSequence: null };
  const stopReason = reply.stopReason ?? 'end_turn';
  return { stopReason, stopSequence: stopReason === 'stop_sequence' ? (reply.stopSequence ?? '') : null };
}

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return 'Number of request tokens has exceeded your per-minute rate limit';
  if (status === 529) return 'Overloaded';
  if (status >= 500) return 'Internal server error';
  return `Request failed with status ${status}`;
}

function usageOf(request: MessagesRequest, reply: ContentReply) {
  const promptText = JSON.stringify(request.system ?? '') + request.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
  const completionText = reply.kind === 'text' ? textPieces(reply.text).join('') : JSON.stringify(reply.calls) + (reply.text ?? '');
  return {
    input_tokens: reply.usage?.inputTokens ?? estimateTokens(promptText),
    cache_creation_input_tokens: reply.usage?.cacheCreationInputTokens ?? 0,
    cache_read_input_tokens: reply.usage?.cacheReadInputTokens ?? 0,
    output_tokens: reply.usage?.outputTokens ?? estimateTokens(completionText),
  };
}

function messageBody(id: string, request: MessagesRequest, reply: ContentReply, content: Block[]) {
  const { stopReason, stopSequence } = stopOf(reply);
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: (reply.kind === 'text' ? reply.model : undefined) ?? request.model,
    content: content.map((block) => {
      if (block.type === 'text') return { type: 'text', text: block.text };
      let input = block.input;
      if (typeof input === 'string') {
        // Non-streamed tool input is always an object on the real API; broken JSON becomes {}.
        try {
          input = JSON.parse(input);
        } catch {
          input = {};
        }
      }
      return { type: 'tool_use', id: block.id, name: block.name, input };
    }),
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    usage: usageOf(request, reply),
  };
}
