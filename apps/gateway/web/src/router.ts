import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'home' }
  | { name: 'agents' }
  | { name: 'agent-new' }
  | { name: 'agent-edit'; id: string }
  | { name: 'agent-chat'; id: string }
  | { name: 'conversation'; id: string }
  | { name: 'keys' }
  | { name: 'workflows' }
  | { name: 'workflow-new' }
  | { name: 'workflow'; id: string; runId?: string }
  | { name: 'knowledge' }
  | { name: 'knowledge-base'; id: string }
  | { name: 'not-found' };

const ID = '([0-9a-fA-F-]{36})';
const PATTERNS: Array<[RegExp, (match: RegExpMatchArray) => Route]> = [
  [/^$/, () => ({ name: 'home' })],
  [/^agents$/, () => ({ name: 'agents' })],
  [/^agents\/new$/, () => ({ name: 'agent-new' })],
  [new RegExp(`^agents/${ID}$`), (m) => ({ name: 'agent-edit', id: m[1] })],
  [new RegExp(`^agents/${ID}/chat$`), (m) => ({ name: 'agent-chat', id: m[1] })],
  [new RegExp(`^c/${ID}$`), (m) => ({ name: 'conversation', id: m[1] })],
  [/^keys$/, () => ({ name: 'keys' })],
  [/^workflows$/, () => ({ name: 'workflows' })],
  [/^workflows\/new$/, () => ({ name: 'workflow-new' })],
  [new RegExp(`^workflows/${ID}$`), (m) => ({ name: 'workflow', id: m[1] })],
  [new RegExp(`^workflows/${ID}/runs/${ID}$`), (m) => ({ name: 'workflow', id: m[1], runId: m[2] })],
  [/^knowledge$/, () => ({ name: 'knowledge' })],
  [new RegExp(`^knowledge/${ID}$`), (m) => ({ name: 'knowledge-base', id: m[1] })],
];

/** Routes live in the URL's fragment (#/agents/new), so a reload or a bookmark comes back to the same screen with no server help. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').replace(/\/$/, '');
  for (const [pattern, route] of PATTERNS) {
    const match = path.match(pattern);
    if (match) return route(match);
  }
  return { name: 'not-found' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function navigate(hash: string): void {
  location.hash = hash;
}
