import type { StoredMessage } from '../memory-copies/memory-copies.service.js';
import { estimateMessageTokens, estimateTokens, selectWindow } from './memory-window.js';

const message = (id: string, parentId: string | null, content: string, role: StoredMessage['role'] = 'user'): StoredMessage => ({
  id,
  parentId,
  role,
  content,
  toolCalls: null,
  toolCallId: null,
});

describe('selectWindow', () => {
  const branch = Array.from({ length: 10 }, (_, i) => message(`m${i}`, i === 0 ? null : `m${i - 1}`, 'x'.repeat(40)));

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
