import { applyEvent, type LiveRun, newLiveRun, saveLiveRun, savedLiveRun } from './live-run.js';
import type { ServerEvent } from './sse.js';

const RUN = '0190a0b0-0000-7000-8000-000000000001';
const ev = (id: number, type: string, data: Record<string, unknown> = {}): ServerEvent => ({ id: String(id), type, data: { runId: RUN, seq: id, ...data } });

function play(events: ServerEvent[], start: LiveRun = newLiveRun('c1', 'Hi', undefined)): LiveRun {
  let now = 1000;
  return events.reduce((run, event) => applyEvent(run, event, (now += 100)), start);
}

describe('applyEvent', () => {
  it('builds the answer from its events: the run id, status, steps with their times and tokens, the text, the end', () => {
    const run = play([
      ev(1, 'run.queued'),
      ev(2, 'run.started'),
      ev(3, 'step.started', { step: 1, key: 'llm:1', name: 'openai/gpt-4o-mini', type: 'llm_call' }),
      ev(4, 'token', { step: 1, text: 'Hel' }),
      ev(5, 'token', { step: 1, text: 'lo.' }),
      ev(6, 'step.completed', { step: 1, key: 'llm:1', usage: { promptTokens: 5, completionTokens: 2, costMicros: 3 } }),
      ev(7, 'run.completed', { status: 'completed', output: { content: 'Hello.' }, partial: false, usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7, costMicros: 3 } }),
    ]);
    expect(run).toMatchObject({ runId: RUN, lastEventId: 7, status: 'completed', ended: true, text: 'Hello.', error: null, partial: false });
    expect(run.steps).toEqual([{ key: 'llm:1', name: 'openai/gpt-4o-mini', type: 'llm_call', status: 'completed', startedAt: 1300, durationMs: 300, tokens: 7, costMicros: 3 }]);
    expect(run.usage).toMatchObject({ totalTokens: 7 });
  });

  it('applies an event once: a replayed or older event changes nothing', () => {
    const run = play([ev(1, 'run.started'), ev(2, 'token', { text: 'a' }), ev(3, 'token', { text: 'b' })]);
    expect(play([ev(2, 'token', { text: 'a' }), ev(3, 'token', { text: 'b' }), ev(4, 'token', { text: 'c' })], run).text).toBe('abc');
  });

  it('keeps the partial answer and the error of a run that ended early, and marks the step cut off as stopped', () => {
    const stopped = play([
      ev(1, 'step.started', { key: 'llm:1', name: 'm', type: 'llm_call' }),
      ev(2, 'token', { text: 'Part' }),
      ev(3, 'run.cancelled', { status: 'cancelled', output: { content: 'Part' }, partial: true }),
    ]);
    expect(stopped).toMatchObject({ status: 'cancelled', ended: true, text: 'Part', partial: true });
    expect(stopped.steps[0]).toMatchObject({ status: 'stopped' });
    const failed = play([ev(1, 'run.failed', { status: 'failed', error: { code: 'MODEL_NOT_CONFIGURED', message: 'no key' } })]);
    expect(failed).toMatchObject({ status: 'failed', ended: true, error: { code: 'MODEL_NOT_CONFIGURED', message: 'no key' } });
  });

  it('says which tools a run could not use, by name and reason', () => {
    const run = play([ev(1, 'run.warning', { unavailableTools: [{ kind: 'builtin', name: 'python', reason: 'unknown builtin tool "python"' }, 'sql'] })]);
    expect(run.warning).toBe('Not available to this answer: python (unknown builtin tool "python"); sql');
  });
});

describe('the saved answer', () => {
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

  it('is kept while the answer streams and forgotten once it ended', () => {
    const storage = new MemoryStorage();
    const streaming = play([ev(1, 'run.started'), ev(2, 'token', { text: 'x' })]);
    saveLiveRun(streaming, storage);
    expect(savedLiveRun(storage)).toEqual(streaming);
    saveLiveRun({ ...streaming, ended: true }, storage);
    expect(savedLiveRun(storage)).toBeNull();
    storage.setItem('playground.liveRun', '{broken');
    expect(savedLiveRun(storage)).toBeNull();
  });
});
