import type { StepJournal } from '../run-engine/run-engine.service.js';
import { TokenStream } from './token-stream.js';

/** Records appends like the run's journal does, each taking `writeMs`. */
function journal(writeMs = 0, fail?: Error): { journal: StepJournal; writes: Array<{ at: number; text: string }> } {
  const writes: Array<{ at: number; text: string }> = [];
  const append = async (_type: string, data?: unknown): Promise<number> => {
    writes.push({ at: Date.now(), text: (data as { text: string }).text });
    await new Promise((r) => setTimeout(r, writeMs));
    if (fail) throw fail;
    return writes.length;
  };
  return { journal: { append } as unknown as StepJournal, writes };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TokenStream', () => {
  it('writes the first delta at once, then gathers what comes while waiting, and loses nothing', async () => {
    const { journal: j, writes } = journal(2);
    const stream = new TokenStream(j, 1, { intervalMs: 30 });
    const started = Date.now();
    stream.push('a');
    let writesBeforeSecondPush = -1;
    for (let i = 0; i < 20; i++) {
      if (i === 1) writesBeforeSecondPush = writes.length;
      stream.push(String(i % 10));
      await sleep(3);
    }
    const elapsed = Date.now() - started;
    await stream.flush();
    // The first write takes what came in the same turn ('a' and the loop's first '0'), at once:
    // before the next delta, however slow the machine.
    expect(writes[0]).toEqual({ at: expect.any(Number) as number, text: 'a0' });
    expect(writesBeforeSecondPush).toBe(1);
    expect(writes.map((w) => w.text).join('')).toBe('a' + Array.from({ length: 20 }, (_, i) => String(i % 10)).join(''));
    // 21 deltas, 3 ms apart: the first, then one write per 30 ms at most, then the flush.
    expect(writes.length).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 30));
    // Paced, except the last write: flush() sends the rest at once.
    for (let i = 1; i < writes.length - 1; i++) expect(writes[i].at - writes[i - 1].at).toBeGreaterThanOrEqual(25);
  });

  it('flush writes what is left without waiting out the interval', async () => {
    const { journal: j, writes } = journal();
    const stream = new TokenStream(j, 1, { intervalMs: 10_000 });
    stream.push('first');
    await sleep(5);
    stream.push(' rest');
    const before = Date.now();
    await stream.flush();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(writes.map((w) => w.text)).toEqual(['first', ' rest']);
  });

  it('rest answers what no write took, after the write in flight, and writes nothing more', async () => {
    const { journal: j, writes } = journal(20);
    const stream = new TokenStream(j, 1, { intervalMs: 10_000 });
    stream.push('first');
    await sleep(5);
    // The first write is still in flight, and the next waits out the interval.
    stream.push(' second');
    stream.push(' third');
    const before = Date.now();
    expect(await stream.rest()).toBe(' second third');
    expect(Date.now() - before).toBeLessThan(1000);
    stream.push(' late');
    await sleep(30);
    expect(writes.map((w) => w.text)).toEqual(['first']);
  });

  it('leaves a whole answer that came in one read to rest, writing nothing itself', async () => {
    const { journal: j, writes } = journal();
    const stream = new TokenStream(j, 1, { intervalMs: 25 });
    stream.push('Hello ');
    stream.push('world');
    expect(await stream.rest()).toBe('Hello world');
    await sleep(30);
    expect(writes).toEqual([]);
  });

  it('reports a failed write on flush and stops writing', async () => {
    const lost = new Error('lease lost');
    const { journal: j, writes } = journal(0, lost);
    const stream = new TokenStream(j, 1, { intervalMs: 0 });
    stream.push('x');
    await sleep(5);
    stream.push('y');
    await expect(stream.flush()).rejects.toBe(lost);
    expect(writes.map((w) => w.text)).toEqual(['x']);
  });
});
