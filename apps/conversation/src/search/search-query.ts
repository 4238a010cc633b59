import { SEARCH_MAX_TERMS } from '#contracts';
import { SearchErrors } from './search.errors.js';

/**
 * Refuses queries that cannot be answered well before they reach PostgreSQL: empty ones, and
 * ones with more words than any person types (a long OR chain makes the GIN index visit every
 * posting list). The length cap is in the contract; all-stopword queries need the database's
 * dictionary and are refused by the service after it asks.
 */
export function checkSearchText(q: string): string {
  const text = q.trim();
  if (text === '') throw SearchErrors.noText();
  const terms = text.split(/\s+/).filter((t) => t !== '');
  if (terms.length > SEARCH_MAX_TERMS) throw SearchErrors.tooManyWords(SEARCH_MAX_TERMS);
  return text;
}
