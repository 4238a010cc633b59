/** One Server-Sent Event as a client reads it; `data` is parsed JSON when it is JSON. */
export interface SseEvent {
  id?: string;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON of the event, as in ApiResponse
  data: any;
}

export interface SseOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Gives up (aborting the request) after this long; default 30 s. */
  timeoutMs?: number;
}

/**
 * A streaming HTTP response read frame by frame, like EventSource would, but over fetch so tests
 * can POST, send headers, and hang up whenever they like. A reply that is not an event stream
 * (a problem+json, a 202) is read whole into `text` / `body`.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  /** Comment lines (": keep-alive"), without the colon. */
  readonly comments: string[] = [];
  text = '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON reply, as in ApiResponse
  body: any;
  ended = false;
  private buffer = '';
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private readonly decoder = new TextDecoder();
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly response: Response) {}

  get status(): number {
    return this.response.status;
  }

  get headers(): Headers {
    return this.response.headers;
  }

  static async open(url: string, options: SseOptions = {}): Promise<SseReader> {
    const controller = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
    const response = await fetch(url, { method: options.method ?? 'GET', headers, body, signal: controller.signal });
    const reader = new SseReader(response);
    reader.timer = timer;
    reader.controller.signal.addEventListener('abort', () => controller.abort());
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      reader.text = await response.text();
      try {
        reader.body = reader.text ? JSON.parse(reader.text) : undefined;
      } catch {
        reader.body = reader.text;
      }
      reader.ended = true;
      clearTimeout(timer);
      return reader;
    }
    reader.reader = response.body?.getReader();
    return reader;
  }

  /** Reads until `until` holds for an event read (true: that event was read), or the stream ends (false). */
  async readUntil(until: (event: SseEvent, all: SseEvent[]) => boolean = () => false): Promise<boolean> {
    for (let i = 0; i < this.events.length; i++) if (until(this.events[i], this.events.slice(0, i + 1))) return true;
    while (!this.ended && this.reader) {
      let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
      try {
        chunk = await this.reader.read();
      } catch (err) {
        this.finish();
        if (this.controller.signal.aborted) return false;
        throw err;
      }
      if (chunk.done) {
        this.finish();
        break;
      }
      const piece = this.decoder.decode(chunk.value, { stream: true });
      this.text += piece;
      this.buffer += piece;
      let cut: number;
      let matched = false;
      while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
        const frame = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        const event = this.parse(frame);
        if (event && !matched && until(event, this.events)) matched = true;
      }
      if (matched) return true;
    }
    return false;
  }

  /** Reads the whole stream. */
  async readAll(): Promise<SseEvent[]> {
    await this.readUntil();
    return this.events;
  }

  /** Hangs up, as a browser tab closing. */
  close(): void {
    this.controller.abort();
    void this.reader?.cancel().catch(() => undefined);
    this.finish();
  }

  private finish(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private parse(frame: string): SseEvent | undefined {
    const event: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
    let any = false;
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') event.dataLines.push(value);
      else continue;
      any = true;
    }
    if (!any) return undefined;
    const raw = event.dataLines.join('\n');
    let data: unknown = raw;
    try {
      data = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text.
    }
    const parsed: SseEvent = { ...(event.id !== undefined ? { id: event.id } : {}), event: event.event ?? 'message', data };
    this.events.push(parsed);
    return parsed;
  }
}

/** Ids of events as numbers. */
export function idsOf(events: SseEvent[]): number[] {
  return events.map((e) => Number(e.id));
}

/** The text the `token` events carried, joined. */
export function tokenText(events: SseEvent[]): string {
  return events
    .filter((e) => e.event === 'token')
    .map((e) => (typeof e.data?.text === 'string' ? e.data.text : typeof e.data?.delta === 'string' ? e.data.delta : ''))
    .join('');
}
