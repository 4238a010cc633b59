import { AppError, SEARCH_MAX_TERMS } from '#contracts';
import { checkSearchText } from './search-query.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? (err.details?.errors as Array<{ field: string }>)[0].field : 'not-an-app-error';
  }
};

describe('checkSearchText', () => {
  it('keeps a web-search query, trimmed', () => {
    expect(checkSearchText('  "reset router" -factory or modem ')).toBe('"reset router" -factory or modem');
  });

  it('refuses an empty or blank query naming q', () => {
    expect(fieldOf(() => checkSearchText(''))).toBe('q');
    expect(fieldOf(() => checkSearchText(' \t\n'))).toBe('q');
  });

  it('refuses more words than the limit naming q', () => {
    expect(fieldOf(() => checkSearchText(Array.from({ length: SEARCH_MAX_TERMS + 1 }, (_, i) => `w${i}`).join(' or ')))).toBe('q');
    expect(checkSearchText(Array.from({ length: SEARCH_MAX_TERMS }, (_, i) => `w${i}`).join(' '))).toContain('w0');
  });
});
