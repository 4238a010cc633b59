import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { api } from './context.js';
import type { CodedError } from './problems.js';
import { navigate } from './router.js';
import type { KnowledgeBase, KnowledgeDocument, KnowledgeHit, Page } from './types.js';
import { codedErrorOf, fieldErrors, Notice, ScreenTitle, Spinner, useAction } from './ui.js';

/** How often the documents list asks again while one is still being ingested. */
const PROGRESS_POLL_MS = 1000;

export function KnowledgeScreen() {
  const [bases, setBases] = useState<KnowledgeBase[] | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  const [name, setName] = useState('');
  const { busy, error: createError, run } = useAction();
  const id = useId();
  useEffect(() => {
    api.get<Page<KnowledgeBase>>('/knowledge-bases?limit=50').then(
      (page) => setBases(page.items),
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, []);
  const create = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const base = await api.post<KnowledgeBase>('/knowledge-bases', { name: name.trim() });
      navigate(`#/knowledge/${base.id}`);
    });
  };
  const nameError = fieldErrors(createError, 'name');
  return (
    <section class="screen">
      <ScreenTitle>Knowledge</ScreenTitle>
      <p class="muted">Knowledge bases hold documents your agents (and you) can search. Give an agent a base and its runs get a search tool over it.</p>
      {error ? <Notice error={error} /> : null}
      {!bases && !error ? <Spinner label="Loading your knowledge bases…" /> : null}
      {bases && bases.length > 0 ? (
        <ul class="cards" aria-label="Your knowledge bases">
          {bases.map((base) => (
            <li class="card" key={base.id}>
              <h2 class="card-title">{base.name}</h2>
              <p class="muted mono">
                {base.embedding.provider} · {base.embedding.model} · chunks of {base.chunking.size}
              </p>
              <div class="card-actions">
                <a class="button button-primary button-small" href={`#/knowledge/${base.id}`} aria-label={`Open ${base.name}`}>
                  Open
                </a>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {bases && bases.length === 0 ? <p>You have no knowledge bases yet.</p> : null}
      <form class="form inline-form" aria-label="New knowledge base" onSubmit={create}>
        {createError && !nameError ? <Notice error={createError} /> : null}
        <div class="field">
          <label for={`${id}-name`}>Name of a new knowledge base</label>
          <input id={`${id}-name`} required maxLength={200} value={name} aria-invalid={nameError ? 'true' : undefined} onInput={(e) => setName(e.currentTarget.value)} />
          {nameError ? <p class="field-error">{nameError}</p> : null}
        </div>
        <button type="submit" class="button button-primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Creating…' : 'Create knowledge base'}
        </button>
      </form>
    </section>
  );
}

const IN_PROGRESS = new Set(['pending', 'processing']);

export function KnowledgeBaseScreen({ id }: { id: string }) {
  const [base, setBase] = useState<KnowledgeBase | null>(null);
  const [documents, setDocuments] = useState<KnowledgeDocument[] | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  const loadDocuments = useCallback(
    () =>
      api.get<Page<KnowledgeDocument>>(`/knowledge-bases/${id}/documents?limit=100`).then(
        (page) => setDocuments(page.items),
        (err: unknown) => setError(codedErrorOf(err)),
      ),
    [id],
  );
  useEffect(() => {
    api.get<KnowledgeBase>(`/knowledge-bases/${id}`).then(setBase, (err: unknown) => setError(codedErrorOf(err)));
    void loadDocuments();
  }, [id, loadDocuments]);
  // Ingestion runs in the background: while a document is pending or processing, ask again.
  const busy = documents?.some((d) => IN_PROGRESS.has(d.status)) ?? false;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => void loadDocuments(), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [busy, loadDocuments]);

  const remove = async (document: KnowledgeDocument) => {
    try {
      await api.delete(`/documents/${document.id}`);
      await loadDocuments();
    } catch (err) {
      setError(codedErrorOf(err));
    }
  };

  if (!base) {
    return error ? (
      <section class="screen">
        <ScreenTitle>Knowledge base</ScreenTitle>
        <Notice error={error} />
      </section>
    ) : (
      <Spinner label="Loading the knowledge base…" />
    );
  }
  return (
    <section class="screen">
      <div class="screen-head">
        <ScreenTitle>{base.name}</ScreenTitle>
        <a class="button button-small" href="#/knowledge">
          All knowledge bases
        </a>
      </div>
      <p class="muted mono">
        {base.embedding.provider} · {base.embedding.model} ({base.embedding.dimensions} dimensions) · chunks of {base.chunking.size}, overlap {base.chunking.overlap}
        {base.reembedding.status === 'running' ? ` · re-embedding ${base.reembedding.done}/${base.reembedding.total}` : ''}
      </p>
      {error ? <Notice error={error} onDismiss={() => setError(null)} /> : null}
      <h2>Documents</h2>
      {documents === null ? <Spinner label="Loading documents…" /> : null}
      {documents && documents.length === 0 ? <p class="muted">No documents yet: add one below.</p> : null}
      {documents && documents.length > 0 ? (
        <table class="table">
          <caption class="visually-hidden">Documents of {base.name}</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Chunks</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {documents.map((document) => (
              <tr key={document.id}>
                <td>{document.title}</td>
                <td class="mono">{document.contentType}</td>
                <td>
                  <DocumentStatusCell document={document} />
                </td>
                <td>{document.progress.total > 0 ? `${document.progress.done} / ${document.progress.total}` : '—'}</td>
                <td>
                  <button type="button" class="button button-small button-quiet" aria-label={`Delete ${document.title}`} onClick={() => void remove(document)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <AddDocumentForm baseId={id} onAdded={() => void loadDocuments()} />
      <SearchForm baseId={id} />
    </section>
  );
}

function DocumentStatusCell({ document }: { document: KnowledgeDocument }) {
  if (document.status === 'processing' && document.progress.total > 0) {
    return (
      <span class="doc-status doc-status-processing">
        processing{' '}
        <progress max={document.progress.total} value={document.progress.done} aria-label={`Ingestion of ${document.title}`}>
          {document.progress.done} of {document.progress.total}
        </progress>
      </span>
    );
  }
  return (
    <span class={`doc-status doc-status-${document.status}`} title={document.error ?? undefined}>
      {document.status}
      {document.status === 'failed' && document.error ? `: ${document.error}` : ''}
    </span>
  );
}

const TEXT_TYPES: Record<string, 'text' | 'markdown' | 'html'> = { 'text/markdown': 'markdown', 'text/html': 'html' };

/** A file as the documents API takes it: PDF as base64, text-like files as their text. */
async function fileBody(file: File): Promise<Record<string, unknown>> {
  const isPdf = file.type === 'application/pdf' || file.name.toLowerCase().endsWith('.pdf');
  if (isPdf) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { source: 'pdf', contentBase64: btoa(binary) };
  }
  const markdown = /\.(md|markdown)$/i.test(file.name);
  const html = /\.html?$/i.test(file.name);
  return { source: markdown ? 'markdown' : html ? 'html' : (TEXT_TYPES[file.type] ?? 'text'), content: await file.text() };
}

function AddDocumentForm({ baseId, onAdded }: { baseId: string; onAdded: () => void }) {
  const [title, setTitle] = useState('');
  const [source, setSource] = useState<'text' | 'markdown' | 'html'>('text');
  const [content, setContent] = useState('');
  const [file, setFile] = useState<File | null>(null);
  /** Bumped after an add, so the file input (which holds its own value) starts empty again. */
  const [fileInput, setFileInput] = useState(0);
  const [metadata, setMetadata] = useState('');
  const { busy, error, setError, run } = useAction();
  const [added, setAdded] = useState<string | null>(null);
  const id = useId();

  const submit = (event: Event) => {
    event.preventDefault();
    setAdded(null);
    let meta: unknown;
    if (metadata.trim() !== '') {
      try {
        meta = JSON.parse(metadata) as unknown;
      } catch {
        setError({ code: 'VALIDATION_FAILED', detail: 'Metadata must be a JSON object', errors: [{ field: 'metadata', problems: ['must be a JSON object, such as {"team":"support"}'] }] });
        return;
      }
    }
    void run(async () => {
      const body = file ? await fileBody(file) : { source, content };
      const reply = await api.post<KnowledgeDocument & { duplicate: boolean }>(`/knowledge-bases/${baseId}/documents`, {
        ...body,
        title: title.trim() || file?.name || 'Untitled',
        ...(meta !== undefined ? { metadata: meta } : {}),
      });
      setAdded(reply.duplicate ? `"${reply.title}" was already in this base: nothing new was added.` : `Added "${reply.title}".`);
      setTitle('');
      setContent('');
      setMetadata('');
      setFile(null);
      setFileInput((n) => n + 1);
      onAdded();
    });
  };
  const errorFor = (field: string) => fieldErrors(error, field);
  const shownFields = ['title', 'content', 'metadata', 'contentBase64'];
  const general = error && !shownFields.some((f) => errorFor(f)) ? error : null;

  return (
    <form class="form" aria-label="Add a document" onSubmit={submit}>
      <h2>Add a document</h2>
      {general ? <Notice error={general} /> : null}
      {added ? (
        <p role="status" class="status-line">
          {added}
        </p>
      ) : null}
      <div class="field">
        <label for={`${id}-title`}>Title</label>
        <input id={`${id}-title`} maxLength={500} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        {errorFor('title') ? <p class="field-error">{errorFor('title')}</p> : null}
      </div>
      <div class="field">
        <label for={`${id}-file`}>File (PDF, text, Markdown, HTML, CSV or JSON), or paste the text below</label>
        <input key={fileInput} id={`${id}-file`} type="file" accept=".pdf,.txt,.md,.markdown,.html,.htm,.csv,.json,application/pdf,text/*" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        {errorFor('contentBase64') ? <p class="field-error">{errorFor('contentBase64')}</p> : null}
      </div>
      {file ? null : (
        <>
          <div class="field">
            <label for={`${id}-source`}>Format of the text</label>
            <select id={`${id}-source`} value={source} onChange={(e) => setSource(e.currentTarget.value as typeof source)}>
              <option value="text">Plain text</option>
              <option value="markdown">Markdown</option>
              <option value="html">HTML</option>
            </select>
          </div>
          <div class="field">
            <label for={`${id}-content`}>Text</label>
            <textarea id={`${id}-content`} rows={6} value={content} aria-invalid={errorFor('content') ? 'true' : undefined} onInput={(e) => setContent(e.currentTarget.value)} />
            {errorFor('content') ? <p class="field-error">{errorFor('content')}</p> : null}
          </div>
        </>
      )}
      <div class="field">
        <label for={`${id}-metadata`}>Metadata (JSON, optional)</label>
        <input id={`${id}-metadata`} class="mono" placeholder='{"team":"support"}' value={metadata} aria-invalid={errorFor('metadata') ? 'true' : undefined} onInput={(e) => setMetadata(e.currentTarget.value)} />
        {errorFor('metadata') ? <p class="field-error">{errorFor('metadata')}</p> : null}
      </div>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy || (!file && content.trim() === '')}>
          {busy ? 'Adding…' : 'Add document'}
        </button>
      </div>
    </form>
  );
}

/** "**word**" marks in a hit's highlight, as parts rendered as text (nothing is parsed as markup). */
function highlightParts(highlight: string): Array<{ text: string; match: boolean }> {
  return highlight.split('**').map((text, i) => ({ text, match: i % 2 === 1 }));
}

function SearchForm({ baseId }: { baseId: string }) {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<'hybrid' | 'vector' | 'fulltext'>('hybrid');
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  const { busy, error, run } = useAction();
  const id = useId();
  const search = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const result = await api.post<{ items: KnowledgeHit[] }>(`/knowledge-bases/${baseId}/search`, { query: query.trim(), mode, topK: 5 });
      setHits(result.items);
    });
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Search</h2>
      <form class="form inline-form" role="search" aria-label="Search this knowledge base" onSubmit={search}>
        <div class="field">
          <label for={`${id}-query`}>Query</label>
          <input id={`${id}-query`} type="search" required value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={`${id}-mode`}>Mode</label>
          <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.currentTarget.value as typeof mode)}>
            <option value="hybrid">Hybrid</option>
            <option value="vector">Vector</option>
            <option value="fulltext">Full text</option>
          </select>
        </div>
        <button type="submit" class="button button-primary" disabled={busy || query.trim() === ''}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error ? <Notice error={error} /> : null}
      {hits && hits.length === 0 ? (
        <p role="status" class="muted">
          Nothing found.
        </p>
      ) : null}
      {hits && hits.length > 0 ? (
        <ol class="hits" aria-label="Search results">
          {hits.map((hit) => (
            <li class="hit" key={hit.chunkId}>
              <p class="hit-text">
                {highlightParts(hit.highlight).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : part.text))}
              </p>
              <p class="muted mono">score {hit.score.toFixed(4)}</p>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
