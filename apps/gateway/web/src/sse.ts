/** One Server-Sent Event: its id (the run's event sequence number), its type and its data parsed as JSON. */
export interface ServerEvent {
  id: string | undefined;
  type: string;
  data: unknown;
}

/**
 * The event-stream format, parsed incrementally: feed it text as it arrives and it returns the
 * events completed so far. fetch() is used rather than EventSource because EventSource can send
 * neither an Authorization header nor our own Last-Event-ID.
 */
export class EventStreamParser {
  private buffer = '';

  push(text: string): ServerEvent[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: ServerEvent[] = [];
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const event = parseFrame(frame);
      if (event) events.push(event);
    }
    return events;
  }
}

function parseFrame(frame: string): ServerEvent | undefined {
  let id: string | undefined;
  let type = 'message';
  const data: string[] = [];
  let fields = 0;
  for (const line of frame.split('\n')) {
    if (line === '' || line.startsWith(':')) continue; // a comment: the keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else continue;
    fields += 1;
  }
  if (fields === 0) return undefined;
  const raw = data.join('\n');
  let parsed: unknown = raw;
  try {
    parsed = raw === '' ? {} : JSON.parse(raw);
  } catch {
    // Not JSON: keep the text.
  }
  return { id, type, data: parsed };
}

/** Reads a streaming response to its end, handing each event over as soon as it is complete; a handler may throw to stop. */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (event: ServerEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new EventStreamParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) onEvent(event);
    }
  } catch (err) {
    // A handler that gives up on the stream (or a broken connection) hangs up rather than leaving it open.
    await reader.cancel().catch(() => undefined);
    throw err;
  }
}

/**
 * A followed run after one more event, before the event's own meaning is applied: null when the
 * event is at or before the last one applied (a reconnection replays from Last-Event-ID, so
 * nothing counts twice), else the state with the event's id recorded and the event's data.
 */
export function advance<T extends { lastEventId: number }>(state: T, event: ServerEvent): { next: T; data: Record<string, unknown> } | null {
  const seq = event.id === undefined ? NaN : Number(event.id);
  if (Number.isFinite(seq) && seq <= state.lastEventId) return null;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  return { next: { ...state, ...(Number.isFinite(seq) ? { lastEventId: seq } : {}) }, data };
}
