import { formatCost, formatDuration, formatTokens, snippetParts } from './format.js';

describe('formatting', () => {
  it('shows micro-dollars so that a cheap message does not read as free', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(12)).toBe('$0.000012');
    expect(formatCost(25_000)).toBe('$0.0250');
    expect(formatCost(3_500_000)).toBe('$3.50');
  });

  it('shows durations and token counts', () => {
    expect(formatDuration(412.4)).toBe('412 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatTokens(1)).toBe('1 token');
    expect(formatTokens(12_345)).toBe('12,345 tokens');
  });

  it('splits a search snippet into text and matches, unescaping it, so no markup from a message is ever parsed', () => {
    expect(snippetParts('a &lt;b&gt; <mark>router</mark> &amp; <mark>reboot</mark>s')).toEqual([
      { text: 'a <b> ', match: false },
      { text: 'router', match: true },
      { text: ' & ', match: false },
      { text: 'reboot', match: true },
      { text: 's', match: false },
    ]);
    expect(snippetParts('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', match: false }]);
  });
});
