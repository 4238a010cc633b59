/** Longest title made from a message; a user may set a longer one (up to 200) themselves. */
export const TITLE_MAX_CHARS = 80;

/**
 * A title from the first user message: whitespace collapsed, cut at the last word boundary that
 * fits (or mid-word when one word is longer), with an ellipsis when anything was cut.
 */
export function titleFrom(message: string): string | null {
  const text = message.replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  if (text.length <= TITLE_MAX_CHARS) return text;
  const room = text.slice(0, TITLE_MAX_CHARS - 1);
  const boundary = room.lastIndexOf(' ');
  const cut = boundary >= TITLE_MAX_CHARS / 2 ? room.slice(0, boundary) : room;
  return `${cut.replace(/[\s.,;:!?-]+$/, '')}…`;
}
