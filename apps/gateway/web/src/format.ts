/** Micro-dollars as dollars, with enough digits that a cheap message does not read as free. */
export function formatCost(micros: number): string {
  if (micros === 0) return '$0';
  const dollars = micros / 1_000_000;
  if (dollars >= 1) return `$${dollars.toFixed(2)}`;
  if (dollars >= 0.01) return `$${dollars.toFixed(4)}`;
  return `$${dollars.toFixed(6)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTokens(count: number): string {
  return `${count.toLocaleString('en-US')} token${count === 1 ? '' : 's'}`;
}

/** A piece of a search snippet: plain text, or a match the server marked. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };

/**
 * The search API sends HTML-escaped text with each match in <mark></mark>. It is split into parts
 * rendered as text, so nothing from a message is ever parsed as markup.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const pattern = /<mark>([\s\S]*?)<\/mark>/g;
  let at = 0;
  for (let match = pattern.exec(snippet); match !== null; match = pattern.exec(snippet)) {
    if (match.index > at) parts.push({ text: unescape(snippet.slice(at, match.index)), match: false });
    parts.push({ text: unescape(match[1]), match: true });
    at = match.index + match[0].length;
  }
  if (at < snippet.length) parts.push({ text: unescape(snippet.slice(at)), match: false });
  return parts;
}

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity);
}
