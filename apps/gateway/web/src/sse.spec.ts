import { EventStreamParser, readEventStream, type ServerEvent } from './sse.js';

describe('EventStreamParser', () => {
  it('parses id, event and JSON data, however the text is cut into chunks', () => {
    const stream = 'id: 1\nevent: run.queued\ndata: {"runId":"r","seq":1}\n\n: keep-alive\n\nid: 2\nevent: token\ndata: {"text":"Hel"}\n\n';
    for (const size of [1, 3, 7, stream.length]) {
      const parser = new EventStreamParser();
      const events: ServerEvent[] = [];
      for (let at = 0; at < stream.length; at += size) events.push(...parser.push(stream.slice(at, at + size)));
      expect(events).toEqual([
        { id: '1', type: 'run.queued', data: { runId: 'r', seq: 1 } },
        { id: '2', type: 'token', data: { text: 'Hel' } },
      ]);
    }
  });

  it('joins multi-line data, accepts CRLF, keeps non-JSON data as text, and waits for the blank line', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: error\r\ndata: {"code":"UNAVAILABLE",\r\ndata: "message":"down"}\r\n')).toEqual([]);
    expect(parser.push('\r\nevent: note\ndata: plain words\n\n')).toEqual([
      { id: undefined, type: 'error', data: { code: 'UNAVAILABLE', message: 'down' } },
      { id: undefined, type: 'note', data: 'plain words' },
    ]);
  });

  it('ignores comment-only frames (keep-alives)', () => {
    expect(new EventStreamParser().push(': keep-alive\n\n:\n\n')).toEqual([]);
  });
});

describe('readEventStream', () => {
  it('hands every event over as its frame completes, also when a character is split between chunks', async () => {
    const events: ServerEvent[] = [];
    const euro = new TextEncoder().encode('id: 1\nevent: token\ndata: {"text":"5 €"}\n\n');
    const split = euro.length - 6; // inside the three bytes of "€"
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(euro.slice(0, split));
        controller.enqueue(euro.slice(split));
        controller.close();
      },
    });
    await readEventStream(body, (e) => events.push(e));
    expect(events).toEqual([{ id: '1', type: 'token', data: { text: '5 €' } }]);
  });

  it('lets a handler stop the stream by throwing, and cancels the body (hangs up)', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('id: 1\nevent: error\ndata: {}\n\nid: 2\nevent: token\ndata: {}\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen: string[] = [];
    await expect(
      readEventStream(body, (e) => {
        seen.push(e.type);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(seen).toEqual(['error']);
    expect(cancelled).toBe(true);
  });
});
