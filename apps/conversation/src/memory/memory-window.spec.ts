import type { StoredMessage } from './memory-backend.js';
import { estimateMessageTokens, estimateTokens, selectWindow } from './memory-window.js';

describe('selectWindow', () => {
  const branch: StoredMessage[] = Array.from({ length: 10 }, (_, i) => ({
    id: `m${i}`,
    parentId: i === 0 ? null : `m${i - 1}`,
    role: 'user',
    content: 'x'.repeat(40),
    toolCalls: null,
    toolCallId: null,
  }));

  it('estimates about 4 characters per token plus a per-message overhead', () => {
    expect(estimateTokens('x'.repeat(40))).toBe(10);
    expect(estimateMessageTokens(branch[0])).toBe(14);
  });

  it('keeps the newest messages within the message count', () => {
    const w = selectWindow(branch, { maxMessages: 3, maxTokens: 10_000 });
    expect(w.messages.map((m) => m.id)).toEqual(['m7', 'm8', 'm9']);
    expect(w).toMatchObject({ truncated: true, summary: null, estimatedTokens: 42 });
  });

  it('keeps the newest messages within the token budget', () => {
    expect(selectWindow(branch, { maxMessages: 100, maxTokens: 30 }).messages.map((m) => m.id)).toEqual(['m8', 'm9']);
  });

  it('keeps the newest message even when it alone is over budget', () => {
    expect(selectWindow(branch, { maxMessages: 100, maxTokens: 1 }).messages.map((m) => m.id)).toEqual(['m9']);
  });

  it('puts a summary of this branch first and only what follows it, counting its tokens', () => {
    const w = selectWindow(branch, { maxMessages: 100, maxTokens: 100, summary: { content: 'y'.repeat(40), throughMessageId: 'm6' } });
    expect(w.summary).toBe('y'.repeat(40));
    expect(w.messages.map((m) => m.id)).toEqual(['m7', 'm8', 'm9']);
    expect(w.estimatedTokens).toBe(10 + 3 * 14);
    expect(w.truncated).toBe(false);
  });

  it('ignores a summary written for another branch', () => {
    const w = selectWindow(branch, { maxMessages: 2, maxTokens: 1000, summary: { content: 'other', throughMessageId: 'elsewhere' } });
    expect(w.summary).toBeNull();
    expect(w.messages.map((m) => m.id)).toEqual(['m8', 'm9']);
  });
});
