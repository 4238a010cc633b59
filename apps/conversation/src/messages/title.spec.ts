import { TITLE_MAX_CHARS, titleFrom } from './title.js';

describe('titleFrom', () => {
  it('keeps a short message, with its whitespace collapsed', () => {
    expect(titleFrom('  How do I\n\treset   my router?  ')).toBe('How do I reset my router?');
  });

  it('cuts a long message at a word boundary and marks the cut', () => {
    const title = titleFrom(`${'word '.repeat(40)}end`);
    expect(title).not.toBeNull();
    expect(title!.length).toBeLessThanOrEqual(TITLE_MAX_CHARS);
    expect(title).toMatch(/^(word )+word…$/);
  });

  it('cuts one very long word mid-word rather than giving nothing', () => {
    const title = titleFrom('x'.repeat(300));
    expect(title).toBe(`${'x'.repeat(TITLE_MAX_CHARS - 1)}…`);
  });

  it('drops punctuation left dangling at the cut', () => {
    const title = titleFrom(`${'a'.repeat(70)}, ${'b'.repeat(30)}`);
    expect(title).toBe(`${'a'.repeat(70)}…`);
  });

  it('gives no title for whitespace only', () => {
    expect(titleFrom(' \n\t ')).toBeNull();
  });
});
