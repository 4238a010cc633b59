import { useEffect, useState } from 'preact/hooks';
import { api } from './context.js';
import { snippetParts } from './format.js';
import type { CodedError } from './problems.js';
import type { Agent, Conversation, Page, SearchHit } from './types.js';
import { codedErrorOf, Notice } from './ui.js';

/** Your conversations, newest activity first, with a search over their titles and every message. */
export function Sidebar({ version, currentId }: { version: number; currentId: string | null }) {
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [agents, setAgents] = useState<Record<string, string>>({});
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<CodedError | null>(null);

  useEffect(() => {
    Promise.all([api.get<Page<Conversation>>('/conversations?limit=100&archived=false'), api.get<Page<Agent>>('/agents?limit=100')]).then(
      ([list, agentList]) => {
        setConversations(list.items);
        setAgents(Object.fromEntries(agentList.items.map((a) => [a.id, a.name])));
        setError(null);
      },
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, [version]);

  // Message search asks the server (full text, ranked) once typing pauses.
  const trimmed = query.trim();
  useEffect(() => {
    if (trimmed.length < 2) {
      setHits(null);
      return;
    }
    const timer = setTimeout(() => {
      api.get<Page<SearchHit>>(`/search/messages?q=${encodeURIComponent(trimmed)}&limit=20`).then(
        (page) => setHits(page.items),
        () => setHits([]),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [trimmed]);

  const lowered = trimmed.toLowerCase();
  const shown = (conversations ?? []).filter((c) => !lowered || (c.title ?? '').toLowerCase().includes(lowered) || (agents[c.agentId ?? ''] ?? '').toLowerCase().includes(lowered));

  return (
    <aside class="sidebar" aria-label="Conversations">
      <a class="button button-primary button-wide" href="#/">
        New chat
      </a>
      <div class="field search-field">
        <label for="conversation-search">Search conversations</label>
        <input id="conversation-search" type="search" value={query} placeholder="Titles and messages" onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      {error ? <Notice error={error} /> : null}
      <p class="visually-hidden" role="status">
        {trimmed ? `${shown.length} conversations${hits ? ` and ${hits.length} messages` : ''} match` : ''}
      </p>
      <h2 class="sidebar-heading">{trimmed ? 'Matching conversations' : 'Recent'}</h2>
      {conversations && shown.length === 0 ? <p class="muted small">{trimmed ? 'No titles match.' : 'No conversations yet.'}</p> : null}
      <ul class="conversation-list">
        {shown.map((c) => (
          <li key={c.id}>
            <a href={`#/c/${c.id}`} class="conversation-link" aria-current={c.id === currentId ? 'page' : undefined}>
              <span class="conversation-title">{c.title ?? 'Untitled'}</span>
              <span class="conversation-meta">{agents[c.agentId ?? ''] ?? 'agent'}</span>
            </a>
          </li>
        ))}
      </ul>
      {hits ? (
        <>
          <h2 class="sidebar-heading">In messages</h2>
          {hits.length === 0 ? <p class="muted small">No messages match.</p> : null}
          <ul class="conversation-list search-hits">
            {hits.map((hit) => (
              <li key={hit.messageId}>
                <a href={`#/c/${hit.conversationId}`} class="conversation-link">
                  <span class="conversation-title">{hit.conversationTitle ?? 'Untitled'}</span>
                  <span class="conversation-meta snippet">
                    {snippetParts(hit.snippet).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </aside>
  );
}
