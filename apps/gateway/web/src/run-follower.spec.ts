import type { Api, RequestOptions } from './api.js';
import type { LiveRun } from './live-run.js';
import { RunFollower } from './run-follower.js';

const RUN = '0190a0b0-0000-7000-8000-0000000000aa';

/** This tab's storage, as the page has it in a browser. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const frame = (id: number, type: string, data: Record<string, unknown> = {}) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ runId: RUN, seq: id, ...data })}\n\n`;
const stream = (...frames: string[]) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );

/** The API as the follower uses it: each call answered in turn, every call recorded. */
function fakeApi(...replies: Response[]) {
  const calls: Array<{ method: string; path: string; lastEventId?: string; body?: unknown }> = [];
  const api = {
    fetch: (method: string, path: string, options: RequestOptions = {}) => {
      calls.push({ method, path, lastEventId: options.headers?.['last-event-id'], body: options.body });
      const reply = replies.shift();
      return reply ? Promise.resolve(reply) : Promise.reject(new Error('no more replies'));
    },
    post: () => Promise.resolve({}),
  };
  return { api: api as unknown as Api, calls };
}

function follow(api: Api): { follower: RunFollower; ended: Promise<LiveRun> } {
  let resolve: (run: LiveRun) => void = () => undefined;
  const ended = new Promise<LiveRun>((r) => (resolve = r));
  const follower = new RunFollower(api, (run) => run.ended && resolve(run));
  return { follower, ended };
}

describe('RunFollower', () => {
  beforeEach(() => {
    (globalThis as { sessionStorage?: Storage }).sessionStorage = new MemoryStorage();
  });

  it('sends the message and, when the stream ends early, picks it up after the last event seen', async () => {
    const { api, calls } = fakeApi(
      stream(frame(1, 'run.queued'), frame(2, 'run.started'), frame(3, 'token', { text: 'Hel' })),
      stream(frame(4, 'token', { text: 'lo.' }), frame(5, 'run.completed', { status: 'completed', output: { content: 'Hello.' } })),
    );
    const { follower, ended } = follow(api);
    await follower.send('c1', 'Hi', null);
    const run = await ended;
    expect(run).toMatchObject({ runId: RUN, text: 'Hello.', status: 'completed', lastEventId: 5 });
    expect(calls).toEqual([
      { method: 'POST', path: '/conversations/c1/messages?stream=true', lastEventId: undefined, body: { content: 'Hi', parentId: null } },
      { method: 'GET', path: `/runs/${RUN}/events`, lastEventId: '3', body: undefined },
    ]);
    expect(sessionStorage.getItem('playground.liveRun')).toBeNull();
  });

  it('reconnects after an error event, and keeps the answer where it was meanwhile (saved for a reload)', async () => {
    const { api, calls } = fakeApi(
      stream(frame(1, 'run.started'), frame(2, 'token', { text: 'a' }), 'event: error\ndata: {"code":"UPSTREAM_TIMEOUT","message":"slow"}\n\n'),
      stream(frame(3, 'token', { text: 'b' }), frame(4, 'run.completed', { status: 'completed', output: { content: 'ab' } })),
    );
    const saved: Array<string | null> = [];
    const { follower, ended } = follow(api);
    const original = sessionStorage.setItem.bind(sessionStorage);
    sessionStorage.setItem = (key, value) => {
      if (key === 'playground.liveRun') saved.push((JSON.parse(value) as LiveRun).text);
      original(key, value);
    };
    await follower.send('c1', 'Hi');
    expect(await ended).toMatchObject({ text: 'ab', ended: true });
    expect(calls.map((c) => c.lastEventId)).toEqual([undefined, '2']);
    expect(saved).toContain('a');
  });

  it('refuses to start when the platform answers with a problem, and keeps nothing', async () => {
    const problem = new Response(JSON.stringify({ code: 'CONFLICT', detail: 'the conversation already has an active run', activeRunId: RUN }), {
      status: 409,
      headers: { 'content-type': 'application/problem+json' },
    });
    const { api } = fakeApi(problem);
    const { follower } = follow(api);
    await expect(follower.send('c1', 'Hi')).rejects.toMatchObject({ problem: { status: 409, code: 'CONFLICT', activeRunId: RUN } });
    expect(sessionStorage.getItem('playground.liveRun')).toBeNull();
  });

  it('resumes a saved answer from its last event, without asking for the earlier ones again', async () => {
    const { api, calls } = fakeApi(stream(frame(7, 'token', { text: ' world' }), frame(8, 'run.completed', { status: 'completed', output: { content: 'Hello world' } })));
    const { follower, ended } = follow(api);
    follower.resume({
      conversationId: 'c1',
      runId: RUN,
      lastEventId: 6,
      userText: 'Hi',
      text: 'Hello',
      steps: [],
      status: 'running',
      error: null,
      warning: null,
      usage: null,
      partial: false,
      sentAt: Date.now(),
      ended: false,
    });
    expect(await ended).toMatchObject({ text: 'Hello world', lastEventId: 8 });
    expect(calls).toEqual([{ method: 'GET', path: `/runs/${RUN}/events`, lastEventId: '6', body: undefined }]);
  });
});
