import { type Actor, type LiveRunEvent, RUN_EVENTS_PAGE, RunContracts, type RunEventView, type RunView, runEventStreamSubject } from '#contracts';
import { type BusClient, InProcessBroadcast } from '#messaging';
import { RunEventFeed } from './run-event-feed.js';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const RUN = '00000000-0000-4000-8000-0000000000f1';
const OTHER_RUN = '00000000-0000-4000-8000-0000000000f2';
const alice: Actor = { kind: 'user', userId: ALICE };

const event = (seq: number, type: string, data: Record<string, unknown> = {}): RunEventView => ({ seq, type, data, createdAt: new Date(0).toISOString() });
const runView = (status: RunView['status']) => ({ id: RUN, status }) as RunView;

/** The execution service as the feed sees it: a table of one run's events, read (and long-polled) over the bus. */
function execution(stored: RunEventView[] = []) {
  const table = [...stored];
  const requests: Array<{ subject: string; afterSeq?: number; waitMs?: number }> = [];
  let appended: () => void = () => undefined;
  const bus = {
    isConnected: () => true,
    request: async (contract: { subject: string }, data: { afterSeq?: number; waitMs?: number }) => {
      requests.push({ subject: contract.subject, afterSeq: data.afterSeq, waitMs: data.waitMs });
      const after = () => table.filter((e) => e.seq > (data.afterSeq ?? 0));
      if (after().length === 0 && (data.waitMs ?? 0) > 0) await new Promise<void>((resolve) => (appended = resolve));
      const items = after().slice(0, RUN_EVENTS_PAGE);
      return { items, status: 'running', ended: items.at(-1)?.type === 'run.completed' };
    },
  } as unknown as BusClient;
  return {
    bus,
    requests,
    store: (...events: RunEventView[]) => {
      table.push(...events);
      appended();
    },
  };
}

/** Every event the feed gives, until it ends. */
async function collect(feed: RunEventFeed): Promise<RunEventView[]> {
  const seen: RunEventView[] = [];
  for await (const e of feed.events(new Promise(() => undefined))) seen.push(e);
  return seen;
}
const seqs = async (events: Promise<RunEventView[]>) => (await events).map((e) => e.seq);

const publish = (broadcast: InProcessBroadcast, owner: string, e: RunEventView, extra: Partial<LiveRunEvent> = {}) =>
  broadcast.publish<LiveRunEvent>(runEventStreamSubject(owner, RUN), { runId: RUN, ...e, ...extra });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('RunEventFeed', () => {
  it('replays what is stored, then writes the live events in order, each once', async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution([event(1, 'run.queued'), event(2, 'run.started')]);
    const feed = RunEventFeed.forRun(exec.bus, broadcast, alice, RUN, 0);
    await feed.read(0);
    const seen = collect(feed);
    publish(broadcast, ALICE, event(2, 'run.started'));
    publish(broadcast, ALICE, event(4, 'token', { text: 'b' }));
    publish(broadcast, ALICE, event(3, 'token', { text: 'a' }));
    publish(broadcast, ALICE, event(5, 'run.completed'));
    expect(await seqs(seen)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads a gap in the numbers from the table at once', async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution([event(1, 'run.queued'), event(2, 'run.started'), event(3, 'step.started')]);
    const feed = RunEventFeed.forRun(exec.bus, broadcast, alice, RUN, 1, 60_000);
    await feed.read(0);
    const seen = collect(feed);
    exec.store(event(4, 'token'), event(5, 'run.completed'));
    publish(broadcast, ALICE, event(5, 'run.completed'));
    expect(await seqs(seen)).toEqual([2, 3, 4, 5]);
  });

  it('reads an event published without its data (too large) from the table', async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution();
    const feed = RunEventFeed.forRun(exec.bus, broadcast, alice, RUN, 0, 60_000);
    await feed.read(0);
    const seen = collect(feed);
    await tick();
    exec.store(event(1, 'run.completed', { output: 'x'.repeat(10) }));
    broadcast.publish<LiveRunEvent>(runEventStreamSubject(ALICE, RUN), { runId: RUN, seq: 1, type: 'run.completed', createdAt: new Date(0).toISOString() });
    expect(await seen).toEqual([event(1, 'run.completed', { output: 'x'.repeat(10) })]);
  });

  it("never hears another user's events, even of a run with the same id", async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution();
    const feed = RunEventFeed.forRun(exec.bus, broadcast, alice, RUN, 0, 60_000);
    await feed.read(0);
    const seen = collect(feed);
    publish(broadcast, BOB, event(1, 'token', { text: "Bob's secret" }));
    await tick();
    publish(broadcast, ALICE, event(1, 'run.completed'));
    expect((await seen).map((e) => e.data)).toEqual([{}]);
  });

  it('finds what a lost publication carried in the table after a silence', async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution([event(1, 'run.queued')]);
    const feed = RunEventFeed.forRun(exec.bus, broadcast, alice, RUN, 0, 30);
    await feed.read(0);
    const seen = collect(feed);
    exec.store(event(2, 'run.completed'));
    expect(await seqs(seen)).toEqual([1, 2]);
    expect(exec.requests.at(-1)).toEqual({ subject: RunContracts.events.subject, afterSeq: 1, waitMs: 15_000 });
  });

  it("listens before a start: keeps the run's first events heard before its reply, and no other run's", async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution();
    const feed = RunEventFeed.beforeStart(exec.bus, broadcast, alice, 60_000);
    broadcast.publish<LiveRunEvent>(runEventStreamSubject(ALICE, OTHER_RUN), { runId: OTHER_RUN, ...event(1, 'token', { text: 'other' }) });
    publish(broadcast, ALICE, event(1, 'run.queued'));
    await tick();
    feed.bind(broadcast, runView('pending'));
    const seen = collect(feed);
    publish(broadcast, ALICE, event(2, 'run.completed'));
    expect(await seqs(seen)).toEqual([1, 2]);
    expect(exec.requests).toEqual([]);
  });

  it('follows a run its start wrote already running (a free worker slot) from what it heard, reading nothing', async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution();
    const feed = RunEventFeed.beforeStart(exec.bus, broadcast, alice, 60_000);
    publish(broadcast, ALICE, event(1, 'run.queued'));
    publish(broadcast, ALICE, event(2, 'run.started'));
    await tick();
    feed.bind(broadcast, runView('running'));
    const seen = collect(feed);
    publish(broadcast, ALICE, event(3, 'token', { text: 'hi' }));
    publish(broadcast, ALICE, event(4, 'run.completed'));
    expect(await seqs(seen)).toEqual([1, 2, 3, 4]);
    expect(exec.requests).toEqual([]);
  });

  it('reads at once the stored events of a settled run a start answered (an idempotency key\'s twin)', async () => {
    const broadcast = new InProcessBroadcast();
    const exec = execution([event(1, 'run.queued'), event(2, 'run.started'), event(3, 'run.completed')]);
    const feed = RunEventFeed.beforeStart(exec.bus, broadcast, alice, 60_000);
    feed.bind(broadcast, runView('completed'));
    expect(await seqs(collect(feed))).toEqual([1, 2, 3]);
    expect(exec.requests).toHaveLength(1);
  });

  it('replays a stored stream with holes (compacted tokens) as it is', async () => {
    const exec = execution([event(1, 'run.queued'), event(2, 'run.started'), event(9, 'step.completed'), event(10, 'run.completed')]);
    const feed = RunEventFeed.forRun(exec.bus, new InProcessBroadcast(), alice, RUN, 0, 60_000);
    await feed.read(0);
    expect(await seqs(collect(feed))).toEqual([1, 2, 9, 10]);
    expect(exec.requests).toHaveLength(1);
  });

  it('replays a stored stream longer than a page, page after page', async () => {
    const long = Array.from({ length: RUN_EVENTS_PAGE + 500 }, (_, i) => event(i + 1, 'token', { text: `${i}` }));
    const exec = execution([...long, event(long.length + 1, 'run.completed')]);
    const feed = RunEventFeed.forRun(exec.bus, new InProcessBroadcast(), alice, RUN, 0, 60_000);
    await feed.read(0);
    const seen = await seqs(collect(feed));
    expect(seen).toHaveLength(long.length + 1);
    expect(seen.every((seq, i) => seq === i + 1)).toBe(true);
    expect(exec.requests.map((r) => r.afterSeq)).toEqual([0, RUN_EVENTS_PAGE]);
  });

  it('replays a history past an answered wait for the caller, to the run\'s end', async () => {
    const exec = execution([event(1, 'run.queued'), event(2, 'run.requires_action'), event(3, 'run.resumed'), event(4, 'run.completed')]);
    const feed = RunEventFeed.forRun(exec.bus, new InProcessBroadcast(), alice, RUN, 0, 60_000);
    await feed.read(0);
    expect(await seqs(collect(feed))).toEqual([1, 2, 3, 4]);
  });
});
