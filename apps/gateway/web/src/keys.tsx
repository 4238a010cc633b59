import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { api, platformConfig } from './context.js';
import type { CodedError } from './problems.js';
import type { Settings } from './types.js';
import { codedErrorOf, fieldErrors, Notice, ScreenTitle, Spinner } from './ui.js';

/** Servers on your own machine speak the OpenAI API without a key. */
export const KEYLESS_PROVIDERS = new Set(['ollama', 'vllm', 'lmstudio']);

export function useSettings(): { settings: Settings | null; error: CodedError | null; reload: () => void } {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  const reload = useCallback(() => {
    api.get<Settings>('/settings').then(
      (loaded) => {
        setSettings(loaded);
        setError(null);
      },
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, []);
  useEffect(reload, [reload]);
  return { settings, error, reload };
}

/** The provider a new agent starts with: the user's default, else one they stored a key for, else OpenAI. */
export function preferredProvider(settings: Settings | null): string {
  return settings?.defaultLlmProvider ?? settings?.providerKeys[0]?.provider ?? 'openai';
}

/** The providers as options of a select, marking those the user stored a key for. */
export function ProviderOptions({ providers, settings }: { providers: readonly string[]; settings?: Settings | null }) {
  return (
    <>
      {providers.map((p) => (
        <option value={p} key={p}>
          {p}
          {settings?.providerKeys.some((k) => k.provider === p) ? ' (key stored)' : ''}
        </option>
      ))}
    </>
  );
}

/** Stores a key for a provider (write-only: the platform shows back only its last four characters). */
export function ProviderKeyForm({ provider, onSaved }: { provider?: string; onSaved: () => void }) {
  const providers = platformConfig().modelProviders.filter((p) => !KEYLESS_PROVIDERS.has(p));
  const [chosen, setChosen] = useState(provider ?? providers[0] ?? 'openai');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CodedError | null>(null);
  const id = useId();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.put(`/settings/provider-keys/${encodeURIComponent(chosen)}`, { apiKey: key.trim() });
      setKey('');
      onSaved();
    } catch (err) {
      setError(codedErrorOf(err));
    } finally {
      setBusy(false);
    }
  };
  const keyError = fieldErrors(error, 'apiKey');

  return (
    <form class="key-form" onSubmit={(e) => void submit(e)} aria-label={provider ? `Store an API key for ${provider}` : 'Store an API key'}>
      {error && !keyError ? <Notice error={error} /> : null}
      {provider ? null : (
        <div class="field">
          <label for={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
            <ProviderOptions providers={providers} />
          </select>
        </div>
      )}
      <div class="field">
        <label for={`${id}-key`}>API key for {chosen}</label>
        <input
          id={`${id}-key`}
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          aria-invalid={keyError ? 'true' : undefined}
          aria-describedby={`${id}-key-help${keyError ? ` ${id}-key-error` : ''}`}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p id={`${id}-key-help`} class="field-help">
          Stored encrypted; only its last four characters are ever shown again.
        </p>
        {keyError ? (
          <p id={`${id}-key-error`} class="field-error">
            {keyError}
          </p>
        ) : null}
      </div>
      <button type="submit" class="button button-primary" disabled={busy || key.trim() === ''}>
        {busy ? 'Saving…' : 'Save key'}
      </button>
    </form>
  );
}

/**
 * Which key a run of this provider will use, and an offer to store one when there is none: the
 * platform uses a stored key first, else the operator's (an environment variable), if any.
 */
export function KeyStatus({ provider, settings, onSaved }: { provider: string; settings: Settings | null; onSaved: () => void }) {
  const [adding, setAdding] = useState(false);
  if (!settings) return null;
  if (KEYLESS_PROVIDERS.has(provider)) {
    return <p class="key-status">{provider} runs on your own server and needs no key (the platform reaches it at its configured address).</p>;
  }
  const stored = settings.providerKeys.find((k) => k.provider === provider);
  if (stored) {
    return (
      <p class="key-status key-status-ok">
        Your stored {provider} key <span class="mono">••••{stored.last4}</span> will be used.
      </p>
    );
  }
  return (
    <div class="key-status key-status-missing">
      <p>
        You have no {provider} key stored. The platform's own key is used if its operator set one; otherwise the agent will say that no model is configured.
      </p>
      {settings.providerKeysWritable ? (
        adding ? (
          <ProviderKeyForm
            provider={provider}
            onSaved={() => {
              setAdding(false);
              onSaved();
            }}
          />
        ) : (
          <button type="button" class="button button-small" onClick={() => setAdding(true)}>
            Store a {provider} key
          </button>
        )
      ) : (
        <p class="muted">This server cannot store keys (no ENCRYPTION_KEYS configured).</p>
      )}
    </div>
  );
}

/** The model keys screen: the keys stored, the default provider, and storing or removing a key. */
export function KeysScreen() {
  const { settings, error, reload } = useSettings();
  const [actionError, setActionError] = useState<CodedError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const providers = platformConfig().modelProviders;

  const remove = async (provider: string) => {
    setActionError(null);
    try {
      await api.delete(`/settings/provider-keys/${encodeURIComponent(provider)}`);
      setSaved(`The ${provider} key was removed.`);
      reload();
    } catch (err) {
      setActionError(codedErrorOf(err));
    }
  };
  const setDefault = async (provider: string) => {
    setActionError(null);
    try {
      await api.patch('/settings', { defaultLlmProvider: provider === '' ? null : provider });
      setSaved('Default provider saved.');
      reload();
    } catch (err) {
      setActionError(codedErrorOf(err));
    }
  };

  return (
    <section class="screen" aria-labelledby="keys-title">
      <ScreenTitle id="keys-title">Model keys</ScreenTitle>
      <p class="muted">
        Agents run on the provider they name. A run uses your stored key for that provider, else the key the platform was started with (for example{' '}
        <code>OPENAI_API_KEY</code>).
      </p>
      {error ? <Notice error={error} /> : null}
      {actionError ? <Notice error={actionError} onDismiss={() => setActionError(null)} /> : null}
      <p role="status" class="status-line">
        {saved ?? ''}
      </p>
      {!settings && !error ? <Spinner label="Loading your keys…" /> : null}
      {settings ? (
        <>
          <h2>Stored keys</h2>
          {settings.providerKeys.length === 0 ? (
            <p>No keys stored yet.</p>
          ) : (
            <table class="table">
              <caption class="visually-hidden">Your stored provider keys</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Key</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {settings.providerKeys.map((k) => (
                  <tr key={k.provider}>
                    <td>{k.provider}</td>
                    <td class="mono">••••{k.last4}</td>
                    <td>{new Date(k.updatedAt).toLocaleString()}</td>
                    <td>
                      <button type="button" class="button-small button-quiet" onClick={() => void remove(k.provider)} aria-label={`Remove the ${k.provider} key`}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div class="field field-inline">
            <label for="default-provider">Default provider for new agents</label>
            <select id="default-provider" value={settings.defaultLlmProvider ?? ''} onChange={(e) => void setDefault(e.currentTarget.value)}>
              <option value="">(none)</option>
              <ProviderOptions providers={providers} />
            </select>
          </div>
          <h2>Store a key</h2>
          {settings.providerKeysWritable ? (
            <ProviderKeyForm
              onSaved={() => {
                setSaved('Key saved.');
                reload();
              }}
            />
          ) : (
            <p>This server cannot store keys: its operator has not set ENCRYPTION_KEYS.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
