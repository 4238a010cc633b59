import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, problemOf } from './api.js';
import { api } from './context.js';
import { formatCost, formatDuration, formatTokens } from './format.js';
import { preferredProvider, useSettings } from './keys.js';
import type { CodedError } from './problems.js';
import { navigate } from './router.js';
import { readEventStream } from './sse.js';
import type { Page, Step, Workflow, WorkflowRunView, WorkflowSummary } from './types.js';
import { codedErrorOf, fieldErrors, Notice, ScreenTitle, Spinner, useAction } from './ui.js';
import { applyWorkflowEvent, type FormField, type NodeVisit, formFields, FormValueError, formValue, inputsSchema, newWorkflowRun, type WorkflowRunState } from './workflow-run.js';

/** A first workflow to start from: a model writes a draft, a person approves it, the outputs say both. */
function starterDefinition(provider: string): Record<string, unknown> {
  return {
    inputs: [{ name: 'topic', type: 'string', required: true, description: 'What the draft is about' }],
    outputs: [
      { name: 'draft', type: 'string' },
      { name: 'approved', type: 'boolean' },
    ],
    state: [
      { name: 'draft', type: 'string' },
      { name: 'review', type: 'object' },
    ],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'write', type: 'llm', config: { provider, model: 'gpt-4o-mini', promptTemplate: 'Write three sentences about {{ inputs.topic }}.', output: 'draft' } },
      {
        id: 'review',
        type: 'human',
        config: {
          promptTemplate: 'Approve this draft? {{ state.draft }}',
          schema: { type: 'object', properties: { approved: { type: 'boolean', title: 'Approved' }, note: { type: 'string', title: 'Note' } }, required: ['approved'] },
          output: 'review',
        },
      },
      { id: 'done', type: 'output', config: { values: { draft: 'state.draft', approved: 'state.review.approved' } } },
    ],
    edges: [
      { from: 'start', to: 'write' },
      { from: 'write', to: 'review' },
      { from: 'review', to: 'done' },
    ],
  };
}

export function WorkflowsScreen() {
  const [items, setItems] = useState<WorkflowSummary[] | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  useEffect(() => {
    api.get<Page<WorkflowSummary>>('/workflows?limit=50').then(
      (page) => setItems(page.items),
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, []);
  return (
    <section class="screen">
      <div class="screen-head">
        <ScreenTitle>Workflows</ScreenTitle>
        <a class="button button-primary" href="#/workflows/new">
          New workflow
        </a>
      </div>
      {error ? <Notice error={error} /> : null}
      {!items && !error ? <Spinner label="Loading your workflows…" /> : null}
      {items && items.length === 0 ? (
        <div class="empty">
          <p>You have no workflows yet. Start from the draft-and-approve example and change it as you like.</p>
          <a class="button button-primary" href="#/workflows/new">
            Create your first workflow
          </a>
        </div>
      ) : null}
      {items && items.length > 0 ? (
        <ul class="cards" aria-label="Your workflows">
          {items.map((workflow) => (
            <li class="card" key={workflow.id}>
              <h2 class="card-title">{workflow.name}</h2>
              <p class="muted">
                Version {workflow.currentVersion}
                {workflow.publishedVersion ? ` · published v${workflow.publishedVersion}` : ''}
              </p>
              {workflow.description ? <p>{workflow.description}</p> : null}
              <div class="card-actions">
                <a class="button button-primary button-small" href={`#/workflows/${workflow.id}`} aria-label={`Open ${workflow.name}`}>
                  Open
                </a>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** The definition as JSON text, checked by the server; its field errors are listed by the path they name. */
function DefinitionErrors({ error }: { error: CodedError | null }) {
  if (!error?.errors?.length) return null;
  return (
    <ul class="field-error-list" aria-label="Problems in the definition">
      {error.errors.map((entry) => (
        <li key={entry.field}>
          <span class="mono">{entry.field}</span>: {entry.problems.join('; ')}
        </li>
      ))}
    </ul>
  );
}

function parseDefinition(text: string): { value?: unknown; problem?: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { problem: `The definition is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function WorkflowCreateScreen() {
  const { settings } = useSettings();
  const [name, setName] = useState('Draft and approve');
  const [text, setText] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const id = useId();
  useEffect(() => {
    if (settings && text === null) setText(JSON.stringify(starterDefinition(preferredProvider(settings)), null, 2));
  }, [settings, text]);

  const submit = (event: Event) => {
    event.preventDefault();
    const parsed = parseDefinition(text ?? '');
    if (parsed.problem) {
      setError({ code: 'VALIDATION_FAILED', detail: parsed.problem });
      return;
    }
    void run(async () => {
      const created = await api.post<Workflow>('/workflows', { name: name.trim(), definition: parsed.value });
      navigate(`#/workflows/${created.id}`);
    });
  };
  const nameError = fieldErrors(error, 'name');

  return (
    <section class="screen">
      <ScreenTitle>New workflow</ScreenTitle>
      <p class="muted">
        A workflow is a graph of typed nodes in JSON (start, llm, agent, tool, condition, human, transform, knowledge, output). The example asks a model for a draft, then waits for
        a person to approve it. The server checks the graph when you save.
      </p>
      <form class="form" onSubmit={submit}>
        {error && !nameError ? <Notice error={error} /> : null}
        <DefinitionErrors error={error} />
        <div class="field">
          <label for={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required maxLength={200} value={name} aria-invalid={nameError ? 'true' : undefined} onInput={(e) => setName(e.currentTarget.value)} />
          {nameError ? <p class="field-error">{nameError}</p> : null}
        </div>
        <div class="field">
          <label for={`${id}-definition`}>Definition (JSON)</label>
          {text === null ? <Spinner label="Loading…" /> : <textarea id={`${id}-definition`} class="mono code-input" rows={18} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
        </div>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy || text === null || name.trim() === ''}>
            {busy ? 'Saving…' : 'Create workflow'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** A form from a JSON Schema's fields: the run's inputs, or what a human node asks. */
function SchemaForm(props: { fields: FormField[]; submitLabel: string; busy: boolean; onSubmit: (value: Record<string, unknown>) => void; label: string; serverError?: CodedError | null; fieldPrefix: string }) {
  const [raw, setRaw] = useState<Record<string, string | boolean>>({});
  const [problem, setProblem] = useState<FormValueError | null>(null);
  const id = useId();
  const submit = (event: Event) => {
    event.preventDefault();
    try {
      setProblem(null);
      props.onSubmit(formValue(props.fields, raw));
    } catch (err) {
      if (err instanceof FormValueError) setProblem(err);
      else throw err;
    }
  };
  const errorOf = (name: string) => (problem?.field === name ? problem.message : fieldErrors(props.serverError ?? null, `${props.fieldPrefix}.${name}`));
  return (
    <form class="form" aria-label={props.label} onSubmit={submit}>
      {props.fields.map((field) => {
        const fieldId = `${id}-${field.name}`;
        const error = errorOf(field.name);
        const described = [field.description ? `${fieldId}-help` : '', error ? `${fieldId}-error` : ''].filter(Boolean).join(' ') || undefined;
        const label = `${field.label}${field.required && field.kind !== 'boolean' ? ' (required)' : ''}`;
        return (
          <div class={field.kind === 'boolean' ? 'field field-check' : 'field'} key={field.name}>
            {field.kind === 'boolean' ? (
              <>
                <input id={fieldId} type="checkbox" checked={raw[field.name] === true} aria-describedby={described} onChange={(e) => setRaw({ ...raw, [field.name]: e.currentTarget.checked })} />
                <label for={fieldId}>{label}</label>
              </>
            ) : (
              <>
                <label for={fieldId}>{label}</label>
                {field.kind === 'choice' ? (
                  <select id={fieldId} value={String(raw[field.name] ?? '')} aria-describedby={described} onChange={(e) => setRaw({ ...raw, [field.name]: e.currentTarget.value })}>
                    <option value="">—</option>
                    {field.choices?.map((choice) => (
                      <option key={choice} value={choice}>
                        {choice}
                      </option>
                    ))}
                  </select>
                ) : field.kind === 'json' ? (
                  <textarea id={fieldId} class="mono" rows={3} value={String(raw[field.name] ?? '')} aria-invalid={error ? 'true' : undefined} aria-describedby={described} onInput={(e) => setRaw({ ...raw, [field.name]: e.currentTarget.value })} />
                ) : field.kind === 'text' ? (
                  <input id={fieldId} type="text" value={String(raw[field.name] ?? '')} aria-invalid={error ? 'true' : undefined} aria-describedby={described} onInput={(e) => setRaw({ ...raw, [field.name]: e.currentTarget.value })} />
                ) : (
                  <input
                    id={fieldId}
                    type="number"
                    step={field.kind === 'number' ? 'any' : '1'}
                    value={String(raw[field.name] ?? '')}
                    aria-invalid={error ? 'true' : undefined}
                    aria-describedby={described}
                    onInput={(e) => setRaw({ ...raw, [field.name]: e.currentTarget.value })}
                  />
                )}
              </>
            )}
            {field.description ? (
              <p id={`${fieldId}-help`} class="field-help">
                {field.description}
              </p>
            ) : null}
            {error ? (
              <p id={`${fieldId}-error`} class="field-error">
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={props.busy}>
          {props.busy ? 'Sending…' : props.submitLabel}
        </button>
      </div>
    </form>
  );
}

export function WorkflowScreen({ id, runId }: { id: string; runId?: string }) {
  const [workflow, setWorkflow] = useState<Workflow | null>(null);
  const [runs, setRuns] = useState<WorkflowRunView[] | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  const { busy: starting, error: runError, setError: setRunError, run: startRun } = useAction();
  const loadRuns = useCallback(() => {
    api.get<Page<WorkflowRunView>>(`/runs?workflowId=${id}&limit=10`).then(
      (page) => setRuns(page.items),
      () => setRuns([]),
    );
  }, [id]);
  useEffect(() => {
    api.get<Workflow>(`/workflows/${id}`).then(setWorkflow, (err: unknown) => setError(codedErrorOf(err)));
    loadRuns();
  }, [id, loadRuns]);

  const start = (inputs: Record<string, unknown>) =>
    startRun(async () => {
      const run = await api.post<WorkflowRunView>(`/workflows/${id}/runs?background=true`, { inputs });
      navigate(`#/workflows/${id}/runs/${run.id}`);
      loadRuns();
    });

  if (error) {
    return (
      <section class="screen">
        <ScreenTitle>Workflow</ScreenTitle>
        <Notice error={error} />
      </section>
    );
  }
  if (!workflow) return <Spinner label="Loading the workflow…" />;
  const fields = formFields(inputsSchema(workflow.definition.inputs));
  return (
    <section class="screen">
      <div class="screen-head">
        <ScreenTitle>{workflow.name}</ScreenTitle>
        <a class="button button-small" href="#/workflows">
          All workflows
        </a>
      </div>
      <p class="muted">
        Version {workflow.currentVersion} · {workflow.definition.nodes.length} nodes:{' '}
        <span class="mono">{workflow.definition.nodes.map((node) => `${node.id} (${node.type})`).join(', ')}</span>
      </p>
      <div class="workflow-layout">
        <div>
          <h2>Run it</h2>
          {runError ? <Notice error={runError} onDismiss={() => setRunError(null)} /> : null}
          <SchemaForm fields={fields} label="Workflow inputs" submitLabel="Run workflow" busy={starting} onSubmit={(value) => void start(value)} serverError={runError} fieldPrefix="inputs" />
          <h2>Recent runs</h2>
          {runs === null ? <Spinner label="Loading runs…" /> : null}
          {runs && runs.length === 0 ? <p class="muted">No runs yet.</p> : null}
          {runs && runs.length > 0 ? (
            <ul class="plain-list run-list" aria-label="Recent runs">
              {runs.map((run) => (
                <li key={run.id}>
                  <a href={`#/workflows/${id}/runs/${run.id}`} aria-current={run.id === runId ? 'page' : undefined}>
                    {new Date(run.createdAt).toLocaleTimeString()}
                  </a>{' '}
                  <span class={`run-status run-status-${run.status}`}>{run.status.replace('_', ' ')}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {runId ? <WorkflowRunPanel runId={runId} key={runId} onSettled={loadRuns} /> : null}
      </div>
    </section>
  );
}

/** Reconnections tried after the run's event stream breaks before the panel says so. */
const MAX_RECONNECTS = 6;
/** While a run waits for a person, how often the panel looks whether it was answered elsewhere. */
const WAITING_RECHECK_MS = 10_000;

/**
 * One run (onSettled: it now waits for a person, or ended, so the runs list is out of date),
 * followed over its event stream from the start (a reload replays it: the events are
 * stored, nothing runs again): each node as it starts and ends with its time and output, the
 * human-input form when the run waits for a person, and the outputs when it ends.
 */
function WorkflowRunPanel({ runId, onSettled }: { runId: string; onSettled: () => void }) {
  const [state, setState] = useState<WorkflowRunState>(() => newWorkflowRun(runId));
  const [run, setRun] = useState<WorkflowRunView | null>(null);
  /** The server's time per node visit (its step `node:<id>:<visit>`), which replayed events cannot give. */
  const [timings, setTimings] = useState<ReadonlyMap<string, number>>(new Map());
  const [error, setError] = useState<CodedError | null>(null);
  const { busy: answering, error: answerError, setError: setAnswerError, run: send } = useAction();
  const current = useRef(state);
  /** Wakes the follower when this page answered the form (the run's stream ended at the wait). */
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    const abort = new AbortController();
    const refresh = () => {
      void api.get<WorkflowRunView>(`/runs/${runId}`).then(setRun, (err: unknown) => setError(codedErrorOf(err)));
      void api.get<{ items: Step[] }>(`/runs/${runId}/steps`).then(
        (steps) => setTimings(new Map(steps.items.filter((step) => step.durationMs !== null).map((step) => [step.key, step.durationMs as number]))),
        () => undefined,
      );
      onSettled();
    };
    const update = (next: WorkflowRunState) => {
      if (next === current.current) return;
      const wasWaiting = current.current.waiting;
      current.current = next;
      setState(next);
      if ((next.waiting && !wasWaiting) || next.ended) refresh();
    };
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake.current = () => {
          clearTimeout(timer);
          resolve();
        };
        abort.signal.addEventListener('abort', () => resolve());
      });
    void (async () => {
      for (let failures = 0; !abort.signal.aborted && !current.current.ended; ) {
        try {
          const response = await api.fetch('GET', `/runs/${runId}/events`, {
            headers: { accept: 'text/event-stream', 'last-event-id': String(current.current.lastEventId) },
            signal: abort.signal,
          });
          if (!response.ok) throw new ApiError(await problemOf(response));
          const seen = current.current.lastEventId;
          if (response.body) await readEventStream(response.body, (event) => update(applyWorkflowEvent(current.current, event)));
          if (current.current.lastEventId > seen || current.current.waiting) failures = 0;
          else failures += 1;
        } catch (err) {
          if (abort.signal.aborted) return;
          if (err instanceof ApiError && err.problem.status >= 400 && err.problem.status < 500) {
            setError(err.problem);
            return;
          }
          failures += 1;
        }
        if (failures > MAX_RECONNECTS) {
          setError({ code: 'NETWORK', detail: "the run's event stream broke and could not be resumed" });
          return;
        }
        // The stream ends where the run waits for a person: look again once this page has answered,
        // or every little while (someone may answer elsewhere, or cancel).
        if (current.current.waiting) await pause(WAITING_RECHECK_MS);
        else if (failures > 0) await pause(Math.min(500 * 2 ** (failures - 1), 8000));
      }
    })();
    return () => abort.abort();
  }, [runId, onSettled]);

  const answer = (input: Record<string, unknown>) =>
    send(async () => {
      await api.post(`/runs/${runId}/resume`, { input });
      setRun(null);
      wake.current();
    });
  const cancel = async () => {
    try {
      await api.post(`/runs/${runId}/cancel`);
    } catch (err) {
      if (!(err instanceof ApiError && err.problem.status === 409)) setError(codedErrorOf(err));
    }
  };

  const action = state.waiting && run?.status === 'requires_action' ? run.requiredAction : null;
  return (
    <section class="run-panel" aria-labelledby={`run-${runId}`} aria-busy={!state.ended && !state.waiting ? 'true' : 'false'}>
      <h2 id={`run-${runId}`}>
        Run <span class="mono">{runId.slice(0, 8)}</span> <span class={`run-status run-status-${state.status}`}>{state.status.replace('_', ' ')}</span>
      </h2>
      {error ? <Notice error={error} /> : null}
      <ol class="node-list" aria-label="Nodes">
        {state.nodes.map((node) => (
          <li class={`node node-${node.status}`} key={`${node.nodeId}:${node.visit}`}>
            <span class="node-id mono">{node.nodeId}</span> <span class="muted">{node.type}</span> <span class="node-status">{node.status}</span>
            {durationOf(node, timings) !== undefined ? <span class="node-time"> {formatDuration(durationOf(node, timings) as number)}</span> : null}
            {node.error ? <p class="step-error">{node.error}</p> : null}
            {node.status === 'completed' && node.output !== undefined && node.output !== null ? <pre class="node-output mono">{preview(node.output)}</pre> : null}
          </li>
        ))}
      </ol>
      {action && action.type === 'human_input' ? (
        <div class="human-input">
          <h3>Waiting for you</h3>
          <p>{action.prompt}</p>
          {answerError ? <Notice error={answerError} onDismiss={() => setAnswerError(null)} /> : null}
          <SchemaForm fields={formFields(action.schema)} label="Your answer" submitLabel="Send answer" busy={answering} onSubmit={(value) => void answer(value)} serverError={answerError} fieldPrefix="input" />
        </div>
      ) : null}
      {!state.ended ? (
        <button type="button" class="button button-small" onClick={() => void cancel()}>
          Cancel run
        </button>
      ) : null}
      {state.ended && state.status === 'completed' && run?.output ? (
        <div class="run-outputs">
          <h3>Outputs</h3>
          <dl>
            {Object.entries(run.output as Record<string, unknown>).map(([name, value]) => (
              <div key={name}>
                <dt class="mono">{name}</dt>
                <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}
      {state.ended && state.error ? <Notice error={{ code: state.error.code, detail: state.error.message ?? '' }} /> : null}
      {state.ended && run ? (
        <p class="message-meta">
          {formatTokens(run.usage.totalTokens)} · {formatCost(run.usage.costMicros)}
        </p>
      ) : null}
    </section>
  );
}

/** A node visit's time: the server's, once its steps were read, else the client's clock between its events. */
function durationOf(node: NodeVisit, timings: ReadonlyMap<string, number>): number | undefined {
  if (node.status === 'running' || node.status === 'waiting') return undefined;
  return timings.get(`node:${node.nodeId}:${node.visit}`) ?? node.durationMs;
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
