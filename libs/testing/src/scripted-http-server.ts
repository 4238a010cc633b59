import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What every scripted server records of a request it received. */
export interface RecordedExchange {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET or a body that is not JSON). */
  body: any;
  /** Content chunks written so far (streaming only). */
  chunksSent: number;
  /** The whole response was written. */
  finished: boolean;
  /** The client went away before the response was complete. */
  clientDisconnected: boolean;
}

/**
 * The plumbing the fake model providers share: a real HTTP server on 127.0.0.1, a queue of
 * scripted replies (or a default), an optional required key, every request recorded, a client
 * hanging up mid-response noticed, and timers that stop with the server. Each provider's fake
 * adds its own API (paths, bodies, SSE framing, errors) in `handle`.
 */
export abstract class ScriptedHttpServer<Reply, Recorded extends RecordedExchange> {
  readonly requests: Recorded[] = [];
  protected readonly queue: Array<Reply | ((request: Recorded) => Reply)> = [];
  protected fallback: Reply | ((request: Recorded) => Reply) | undefined;
  protected requiredApiKey: string | undefined;
  private readonly disconnects = new Map<Recorded, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  protected constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
  ) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  /** A listening server on 127.0.0.1, at a random port unless one is given, and its origin. */
  protected static async listen(port = 0): Promise<{ server: http.Server; origin: string }> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  /** Queues replies, answered in the order requests arrive. */
  reply(...replies: Array<Reply | ((request: Recorded) => Reply)>): this {
    this.queue.push(...replies);
    return this;
  }

  /** What to answer once the queue is empty; without one, an empty queue answers 500. */
  setDefaultReply(reply: Reply | ((request: Recorded) => Reply) | undefined): this {
    this.fallback = reply;
    return this;
  }

  /** Answers 401 (echoing the key it got, as careless providers do) unless this key is sent. */
  requireApiKey(key: string | undefined): this {
    this.requiredApiKey = key;
    return this;
  }

  /** Resolves when the client hangs up on this request before its response is complete. */
  waitForDisconnect(request: Recorded): Promise<void> {
    const disconnected = this.disconnects.get(request);
    if (!disconnected) return Promise.reject(new Error('not a request this server received'));
    return disconnected;
  }

  /** Forgets recorded requests and scripted replies between tests. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.fallback = undefined;
    this.requiredApiKey = undefined;
    this.disconnects.clear();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;

  /** The requests the provider's main endpoint received (what tests count and wait for). */
  protected abstract scripted(): Recorded[];

  /** Reads the body and records the request, noticing when its client goes away. */
  protected async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<Recorded> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const record = { method: req.method ?? 'GET', path, headers: req.headers, body, chunksSent: 0, finished: false, clientDisconnected: false } as Recorded;
    let markDisconnected: () => void = () => undefined;
    this.disconnects.set(record, new Promise<void>((resolve) => (markDisconnected = resolve)));
    this.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) {
        record.clientDisconnected = true;
        markDisconnected();
      }
    });
    return record;
  }

  /** Resolves once `count` requests reached the main endpoint. */
  protected waitForScripted(count: number): Promise<void> {
    if (this.scripted().length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Call when a request reached the main endpoint: wakes the tests waiting for that many. */
  protected arrived(): void {
    for (const waiter of [...this.waiters]) {
      if (this.scripted().length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** The next scripted reply for this request, or undefined when nothing is scripted. */
  protected nextReply(record: Recorded): Reply | undefined {
    const responder = this.queue.shift() ?? this.fallback;
    if (responder === undefined) return undefined;
    return typeof responder === 'function' ? (responder as (request: Recorded) => Reply)(record) : responder;
  }

  protected json(res: http.ServerResponse, record: Recorded, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    record.finished = true;
  }

  /** A 200 whose body is not what the API promises. */
  protected garbage(res: http.ServerResponse, record: Recorded, body: string, contentType = 'application/json'): void {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
    record.finished = true;
  }

  /** A pause the server's stop() cancels. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** A string becomes a few word-sized deltas; an array is streamed exactly as given. */
export function textPieces(text: string | string[]): string[] {
  if (Array.isArray(text)) return text;
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/** A text cut into about `parts` pieces, as providers stream tool arguments. */
export function split(text: string, parts: number): string[] {
  if (text === '') return [''];
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** About four characters a token, as the fakes estimate usage a reply does not script. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
