import { useEffect, useId, useState } from 'preact/hooks';
import { api, platformConfig } from './context.js';
import { KeyStatus, preferredProvider, ProviderOptions, useSettings } from './keys.js';
import type { CodedError } from './problems.js';
import { navigate } from './router.js';
import type { Agent, AgentTemplate, Page, Settings, ToolReference } from './types.js';
import { codedErrorOf, fieldErrors, Notice, ScreenTitle, Spinner } from './ui.js';

/** The tools every agent may use without any set-up (the execution service's built-ins). */
export const BUILTIN_TOOLS: Array<{ name: string; label: string; description: string }> = [
  { name: 'calculator', label: 'Calculator', description: 'Exact arithmetic' },
  { name: 'current_time', label: 'Current time', description: 'The date and time in any time zone' },
  { name: 'http_get', label: 'Web page fetch', description: 'Reads pages from the hosts the operator allows' },
];

/** A model name to start with for the providers whose usual small model is well known. */
const DEFAULT_MODELS: Record<string, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest', groq: 'llama-3.1-8b-instant', mistral: 'mistral-small-latest', ollama: 'llama3.2' };

export function useAgents(): { agents: Agent[] | null; error: CodedError | null } {
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  useEffect(() => {
    api.get<Page<Agent>>('/agents?limit=100').then(
      (page) => setAgents(page.items),
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, []);
  return { agents, error };
}

/** Your agents, each a step from a chat or its settings. */
export function AgentsScreen({ title = 'Agents', intro }: { title?: string; intro?: string }) {
  const { agents, error } = useAgents();
  return (
    <section class="screen">
      <div class="screen-head">
        <ScreenTitle>{title}</ScreenTitle>
        <a class="button button-primary" href="#/agents/new">
          New agent
        </a>
      </div>
      {intro ? <p class="muted">{intro}</p> : null}
      {error ? <Notice error={error} /> : null}
      {!agents && !error ? <Spinner label="Loading your agents…" /> : null}
      {agents && agents.length === 0 ? (
        <div class="empty">
          <p>You have no agents yet. Start from a template, answer three questions, or write a prompt yourself.</p>
          <a class="button button-primary" href="#/agents/new">
            Create your first agent
          </a>
        </div>
      ) : null}
      {agents && agents.length > 0 ? (
        <ul class="cards" aria-label="Your agents">
          {agents.map((agent) => (
            <li class="card agent-card" key={agent.id}>
              <h2 class="card-title">{agent.name}</h2>
              <p class="muted mono">
                {agent.modelProvider} · {agent.modelName}
              </p>
              {agent.description ? <p>{agent.description}</p> : null}
              <div class="card-actions">
                <a class="button button-primary button-small" href={`#/agents/${agent.id}/chat`} aria-label={`Chat with ${agent.name}`}>
                  Chat
                </a>
                <a class="button button-small" href={`#/agents/${agent.id}`} aria-label={`Edit ${agent.name}`}>
                  Edit
                </a>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** Provider and model, with which key the provider will use (and an offer to store one). */
function ModelFields(props: {
  provider: string;
  model: string;
  onProvider: (provider: string) => void;
  onModel: (model: string) => void;
  settings: Settings | null;
  reloadSettings: () => void;
  error: CodedError | null;
}) {
  const id = useId();
  const modelError = fieldErrors(props.error, 'modelName');
  return (
    <fieldset class="fieldset">
      <legend>Model</legend>
      <div class="field-row">
        <div class="field">
          <label for={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={props.provider} onChange={(e) => props.onProvider(e.currentTarget.value)}>
            <ProviderOptions providers={platformConfig().modelProviders} settings={props.settings} />
          </select>
        </div>
        <div class="field">
          <label for={`${id}-model`}>Model name</label>
          <input
            id={`${id}-model`}
            class="mono"
            required
            value={props.model}
            spellcheck={false}
            aria-invalid={modelError ? 'true' : undefined}
            aria-describedby={modelError ? `${id}-model-error` : undefined}
            onInput={(e) => props.onModel(e.currentTarget.value)}
          />
          {modelError ? (
            <p id={`${id}-model-error`} class="field-error">
              {modelError}
            </p>
          ) : null}
        </div>
      </div>
      <KeyStatus provider={props.provider} settings={props.settings} onSaved={props.reloadSettings} />
    </fieldset>
  );
}

/** Built-in tools as checkboxes; tools from elsewhere (registry, MCP, integrations) are kept as they are. */
function ToolsField({ tools, onChange }: { tools: ToolReference[]; onChange: (tools: ToolReference[]) => void }) {
  const id = useId();
  const others = tools.filter((t) => t.kind !== 'builtin' || !BUILTIN_TOOLS.some((b) => b.name === t.name));
  const has = (name: string) => tools.some((t) => t.kind === 'builtin' && t.name === name);
  const toggle = (name: string, on: boolean) => {
    const without = tools.filter((t) => !(t.kind === 'builtin' && t.name === name));
    onChange(on ? [...without, { kind: 'builtin', name }] : without);
  };
  return (
    <fieldset class="fieldset">
      <legend>Tools</legend>
      <ul class="checks">
        {BUILTIN_TOOLS.map((tool) => (
          <li key={tool.name}>
            <input type="checkbox" id={`${id}-${tool.name}`} checked={has(tool.name)} onChange={(e) => toggle(tool.name, e.currentTarget.checked)} />
            <label for={`${id}-${tool.name}`}>
              {tool.label} <span class="muted">— {tool.description}</span>
            </label>
          </li>
        ))}
      </ul>
      {others.length > 0 ? (
        <p class="muted">
          Also: {others.map((t) => `${t.name} (${t.kind})`).join(', ')}
        </p>
      ) : null}
    </fieldset>
  );
}

type CreateMode = 'template' | 'wizard' | 'blank';

/** A new agent from a template, from the Q&A wizard's three answers, or from a prompt written here. */
export function AgentCreateScreen() {
  const { settings, reload: reloadSettings } = useSettings();
  const [mode, setMode] = useState<CreateMode>('template');
  const [templates, setTemplates] = useState<AgentTemplate[] | null>(null);
  const [template, setTemplate] = useState<string>('');
  const [name, setName] = useState('');
  const [provider, setProvider] = useState<string | null>(null);
  const [model, setModel] = useState<string | null>(null);
  const [prompt, setPrompt] = useState('You are a helpful assistant. Answer briefly.');
  const [tools, setTools] = useState<ToolReference[]>([{ kind: 'builtin', name: 'calculator' }]);
  const [who, setWho] = useState('');
  const [rules, setRules] = useState('');
  const [tricks, setTricks] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CodedError | null>(null);
  const id = useId();

  useEffect(() => {
    api.get<{ items: AgentTemplate[] }>('/templates').then(
      (list) => {
        setTemplates(list.items);
        if (list.items[0]) setTemplate(list.items[0].name);
      },
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, []);

  const chosenProvider = provider ?? preferredProvider(settings);
  const chosenModel = model ?? DEFAULT_MODELS[chosenProvider] ?? '';
  const chosenTemplate = templates?.find((t) => t.name === template);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const modelFields = { modelProvider: chosenProvider, modelName: chosenModel.trim() };
    try {
      let agent: Agent;
      if (mode === 'template') {
        agent = await api.post<Agent>('/agents', { template, name: name.trim() || chosenTemplate?.title || 'My agent', ...modelFields });
      } else if (mode === 'wizard') {
        agent = await api.post<Agent>('/agents/from-qa', { who, rules, ...(tricks.trim() ? { tricks } : {}), ...(name.trim() ? { name: name.trim() } : {}), ...modelFields });
      } else {
        agent = await api.post<Agent>('/agents', { name: name.trim() || 'My agent', systemPrompt: prompt, tools, ...modelFields });
      }
      navigate(`#/agents/${agent.id}/chat`);
    } catch (err) {
      setError(codedErrorOf(err));
      setBusy(false);
    }
  };

  return (
    <section class="screen">
      <ScreenTitle>New agent</ScreenTitle>
      <form onSubmit={(e) => void submit(e)} class="form">
        <fieldset class="fieldset segmented">
          <legend>Start from</legend>
          {(
            [
              ['template', 'A template'],
              ['wizard', 'Three questions (the wizard)'],
              ['blank', 'My own prompt'],
            ] as Array<[CreateMode, string]>
          ).map(([value, label]) => (
            <span key={value} class="segment">
              <input type="radio" name={`${id}-mode`} id={`${id}-mode-${value}`} value={value} checked={mode === value} onChange={() => setMode(value)} />
              <label for={`${id}-mode-${value}`}>{label}</label>
            </span>
          ))}
        </fieldset>

        {mode === 'template' ? (
          <fieldset class="fieldset">
            <legend>Template</legend>
            {!templates && !error ? <Spinner label="Loading templates…" /> : null}
            <ul class="template-list">
              {templates?.map((t) => (
                <li key={t.name} class={`template-option${template === t.name ? ' selected' : ''}`}>
                  <input type="radio" name={`${id}-template`} id={`${id}-template-${t.name}`} value={t.name} checked={template === t.name} onChange={() => setTemplate(t.name)} />
                  <label for={`${id}-template-${t.name}`}>
                    <strong>{t.title}</strong>
                    <span class="muted">{t.description}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        ) : null}

        {mode === 'wizard' ? (
          <fieldset class="fieldset">
            <legend>The wizard</legend>
            <p class="muted">Three answers become a structured system prompt you can edit afterwards.</p>
            <div class="field">
              <label for={`${id}-who`}>Who is the agent?</label>
              <textarea id={`${id}-who`} rows={2} required value={who} placeholder="Charlie, a friendly support agent for Acme routers" onInput={(e) => setWho(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for={`${id}-rules`}>What rules does it follow? (one per line)</label>
              <textarea id={`${id}-rules`} rows={3} required value={rules} placeholder={'Answer in English\nNever promise refunds'} onInput={(e) => setRules(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for={`${id}-tricks`}>What can it do? (one tool or skill per line, optional)</label>
              <textarea id={`${id}-tricks`} rows={2} value={tricks} placeholder="calculator" onInput={(e) => setTricks(e.currentTarget.value)} />
            </div>
          </fieldset>
        ) : null}

        <div class="field">
          <label for={`${id}-name`}>Name{mode === 'blank' ? '' : ' (optional)'}</label>
          <input id={`${id}-name`} value={name} placeholder={mode === 'template' ? chosenTemplate?.title : mode === 'wizard' ? 'From the first words of the answer' : 'My agent'} onInput={(e) => setName(e.currentTarget.value)} />
        </div>

        {mode === 'blank' ? (
          <>
            <div class="field">
              <label for={`${id}-prompt`}>System prompt</label>
              <textarea id={`${id}-prompt`} rows={6} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
            </div>
            <ToolsField tools={tools} onChange={setTools} />
          </>
        ) : null}

        <ModelFields provider={chosenProvider} model={chosenModel} onProvider={(p) => { setProvider(p); setModel(DEFAULT_MODELS[p] ?? ''); }} onModel={setModel} settings={settings} reloadSettings={reloadSettings} error={error} />

        {error ? <Notice error={error} /> : null}
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy || (mode === 'template' && !template)}>
            {busy ? 'Creating…' : 'Create and chat'}
          </button>
          <a class="button" href="#/agents">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

/** An agent's prompt, model and tools; every change to what a run uses makes a new version. */
export function AgentEditScreen({ id }: { id: string }) {
  const { settings, reload: reloadSettings } = useSettings();
  const [agent, setAgent] = useState<Agent | null>(null);
  const [draft, setDraft] = useState<Agent | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CodedError | null>(null);
  const [status, setStatus] = useState('');
  const fid = useId();

  useEffect(() => {
    api.get<Agent>(`/agents/${id}`).then(
      (loaded) => {
        setAgent(loaded);
        setDraft(loaded);
      },
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, [id]);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const saved = await api.patch<Agent>(`/agents/${id}`, {
        name: draft.name,
        modelProvider: draft.modelProvider,
        modelName: draft.modelName.trim(),
        systemPrompt: draft.systemPrompt,
        tools: draft.tools,
      });
      setAgent(saved);
      setDraft(saved);
      setStatus(`Saved. New runs use version ${saved.currentVersion}.`);
    } catch (err) {
      setError(codedErrorOf(err));
    } finally {
      setBusy(false);
    }
  };

  if (!draft) {
    return (
      <section class="screen">
        <ScreenTitle>Agent</ScreenTitle>
        {error ? <Notice error={error} /> : <Spinner label="Loading the agent…" />}
      </section>
    );
  }
  const promptError = fieldErrors(error, 'systemPrompt');
  return (
    <section class="screen">
      <div class="screen-head">
        <ScreenTitle>{agent?.name ?? draft.name}</ScreenTitle>
        <a class="button button-primary" href={`#/agents/${id}/chat`}>
          Chat with it
        </a>
      </div>
      <p class="muted">Version {agent?.currentVersion}. Conversations keep working across versions; each run uses the version current when it starts.</p>
      <form onSubmit={(e) => void save(e)} class="form">
        <div class="field">
          <label for={`${fid}-name`}>Name</label>
          <input id={`${fid}-name`} required value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for={`${fid}-prompt`}>System prompt</label>
          <textarea
            id={`${fid}-prompt`}
            rows={10}
            value={draft.systemPrompt}
            aria-invalid={promptError ? 'true' : undefined}
            aria-describedby={promptError ? `${fid}-prompt-error` : undefined}
            onInput={(e) => setDraft({ ...draft, systemPrompt: e.currentTarget.value })}
          />
          {promptError ? (
            <p id={`${fid}-prompt-error`} class="field-error">
              {promptError}
            </p>
          ) : null}
        </div>
        <ModelFields
          provider={draft.modelProvider}
          model={draft.modelName}
          onProvider={(p) => setDraft({ ...draft, modelProvider: p })}
          onModel={(m) => setDraft({ ...draft, modelName: m })}
          settings={settings}
          reloadSettings={reloadSettings}
          error={error}
        />
        <ToolsField tools={draft.tools} onChange={(tools) => setDraft({ ...draft, tools })} />
        {error ? <Notice error={error} /> : null}
        <p role="status" class="status-line">
          {status}
        </p>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </section>
  );
}
