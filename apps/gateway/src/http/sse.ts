import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem.js';

/** A comment line goes out after this long without any other write, so proxies keep the connection open. */
export const SSE_KEEP_ALIVE_MS = 15_000;

/**
 * One Server-Sent Events response written straight to the socket: the Fastify reply is hijacked,
 * so nothing Nest or Fastify would add later (onSend hooks, serialisation) runs. Errors thrown
 * before `open()` still become problem+json; after it, `fail()` sends an `error` event and ends.
 */
export class SseStream {
  private opened = false;
  private ended = false;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly gone = new AbortController();

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly keepAliveMs = SSE_KEEP_ALIVE_MS,
  ) {
    // 'close' on the response: the client hung up, or we ended it; either way stop working for it.
    reply.raw.once('close', () => this.finish());
  }

  /** True once the client went away or the stream was ended. */
  get closed(): boolean {
    return this.ended || this.gone.signal.aborted;
  }

  /** Aborts when the client goes away (or the stream ends). */
  get signal(): AbortSignal {
    return this.gone.signal;
  }

  /** Sends the 200 and the headers (with `headers`, e.g. the run's id); nothing can be answered as problem+json after this. */
  open(headers: Record<string, string> = {}): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    this.reply.hijack();
    const raw = this.reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': this.request.id,
      ...headers,
    });
    raw.flushHeaders();
    this.armKeepAlive();
  }

  /** One event: `id`, `event`, and the data as one JSON line. */
  event(id: number, type: string, data: unknown): void {
    this.write(`id: ${id}\nevent: ${oneLine(type)}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A frame in another API's shape: `data: <text>` (one line), after `event: <type>` when given (OpenAI's chunks and response events). */
  frame(data: string, type?: string): void {
    this.write(`${type !== undefined ? `event: ${oneLine(type)}\n` : ''}data: ${oneLine(data)}\n\n`);
  }

  /** The error event a client reads when the stream cannot go on, then the end of the stream. */
  fail(err: unknown): void {
    if (this.closed) return;
    const problem = toProblem(err, this.request.url.split('?')[0], this.request.id);
    this.write(`event: error\ndata: ${JSON.stringify({ code: problem.code, message: problem.detail })}\n\n`);
    this.end();
  }

  end(): void {
    if (this.ended) return;
    if (this.opened && !this.reply.raw.writableEnded) this.reply.raw.end();
    this.finish();
  }

  /** Resolves when the client goes away or the stream ends: race a long poll against it. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.gone.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private write(chunk: string): void {
    if (this.closed || !this.opened) return;
    this.reply.raw.write(chunk);
    this.armKeepAlive();
  }

  private armKeepAlive(): void {
    if (this.keepAlive) clearTimeout(this.keepAlive);
    this.keepAlive = setTimeout(() => this.write(': keep-alive\n\n'), this.keepAliveMs);
    this.keepAlive.unref();
  }

  private finish(): void {
    this.ended = true;
    if (this.keepAlive) clearTimeout(this.keepAlive);
    this.keepAlive = undefined;
    if (!this.gone.signal.aborted) this.gone.abort();
  }
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]/g, ' ');
}
