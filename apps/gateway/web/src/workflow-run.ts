import { advance, type ServerEvent } from './sse.js';
import type { RunStatus, RunUsage } from './types.js';

/** One execution of a node (a node in a loop runs several times: its visits). */
export interface NodeVisit {
  nodeId: string;
  type: string;
  visit: number;
  status: 'running' | 'completed' | 'failed' | 'waiting';
  /** Client clock when node.started arrived; replayed events of a finished run show no timing. */
  startedAt: number;
  durationMs?: number;
  output?: unknown;
  error?: string;
}

/** A workflow run as its event stream tells it: the node timeline, the status, and where it waits. */
export interface WorkflowRunState {
  runId: string;
  lastEventId: number;
  status: RunStatus;
  nodes: NodeVisit[];
  /** The run waits for a person (run.requires_action); the form comes from GET /runs/:id. */
  waiting: boolean;
  usage: RunUsage | null;
  error: { code: string; message?: string } | null;
  output: Record<string, unknown> | null;
  ended: boolean;
}

const FINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);

export function newWorkflowRun(runId: string): WorkflowRunState {
  return { runId, lastEventId: 0, status: 'pending', nodes: [], waiting: false, usage: null, error: null, output: null, ended: false };
}

/**
 * The run after one more event; an event at or before the last one applied changes nothing (a
 * reconnection replays from Last-Event-ID, so nothing is counted twice).
 */
export function applyWorkflowEvent(run: WorkflowRunState, event: ServerEvent, now = Date.now()): WorkflowRunState {
  const advanced = advance(run, event);
  if (!advanced) return run;
  const { next, data } = advanced;
  const nodeId = typeof data.nodeId === 'string' ? data.nodeId : null;
  const visit = typeof data.visit === 'number' ? data.visit : 1;
  const same = (n: NodeVisit) => n.nodeId === nodeId && n.visit === visit;
  switch (event.type) {
    case 'run.queued':
      next.status = 'pending';
      break;
    case 'run.started':
    case 'run.resumed':
      next.status = 'running';
      next.waiting = false;
      next.nodes = run.nodes.map((n) => (n.status === 'waiting' ? { ...n, status: 'running' } : n));
      break;
    case 'node.started':
      if (nodeId === null) break;
      next.status = 'running';
      next.nodes = [...run.nodes.filter((n) => !same(n)), { nodeId, type: String(data.type ?? ''), visit, status: 'running', startedAt: now }];
      break;
    case 'node.completed':
    case 'node.failed':
      if (nodeId === null) break;
      next.nodes = run.nodes.map((n) =>
        same(n)
          ? {
              ...n,
              status: event.type === 'node.completed' ? 'completed' : 'failed',
              durationMs: now - n.startedAt,
              ...(event.type === 'node.completed' ? { output: data.output } : { error: errorText(data.error) }),
            }
          : n,
      );
      break;
    case 'run.requires_action':
      next.status = 'requires_action';
      next.waiting = true;
      next.nodes = run.nodes.map((n) => (n.status === 'running' && n.type === 'human' ? { ...n, status: 'waiting' } : n));
      break;
    default:
      if (event.type.startsWith('run.') && FINAL.has(event.type.slice(4))) {
        next.status = event.type.slice(4) as RunStatus;
        next.ended = true;
        next.waiting = false;
        if (data.usage) next.usage = data.usage as RunUsage;
        if (data.error) next.error = data.error as { code: string; message?: string };
        if (data.output && typeof data.output === 'object') next.output = data.output as Record<string, unknown>;
      }
  }
  return next;
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return [code, message].filter((part) => typeof part === 'string' && part !== '').join(': ') || 'failed';
  }
  return typeof error === 'string' ? error : 'failed';
}

/** One field of a form a human node asks for, from its JSON Schema (an object schema). */
export interface FormField {
  name: string;
  label: string;
  kind: 'boolean' | 'number' | 'integer' | 'choice' | 'text' | 'json';
  required: boolean;
  choices?: string[];
  description?: string;
}

/** The fields of an object schema, in its order: booleans as checkboxes, enums as choices, numbers, text, anything else as JSON. */
export function formFields(schema: unknown): FormField[] {
  if (!schema || typeof schema !== 'object') return [];
  const { properties, required } = schema as { properties?: Record<string, unknown>; required?: unknown };
  if (!properties || typeof properties !== 'object') return [];
  const needed = new Set(Array.isArray(required) ? required.filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(properties).map(([name, raw]) => {
    const property = (raw && typeof raw === 'object' ? raw : {}) as { type?: unknown; enum?: unknown; title?: unknown; description?: unknown };
    const base = {
      name,
      label: typeof property.title === 'string' ? property.title : name,
      required: needed.has(name),
      ...(typeof property.description === 'string' ? { description: property.description } : {}),
    };
    if (Array.isArray(property.enum) && property.enum.every((v) => typeof v === 'string')) return { ...base, kind: 'choice', choices: property.enum as string[] };
    if (property.type === 'boolean') return { ...base, kind: 'boolean' };
    if (property.type === 'number' || property.type === 'integer') return { ...base, kind: property.type };
    if (property.type === 'string') return { ...base, kind: 'text' };
    return { ...base, kind: 'json' };
  });
}

export class FormValueError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The answer a form's raw values make: checkboxes as booleans, numbers parsed, JSON fields parsed;
 * an empty optional field is left out. Throws FormValueError naming the field it cannot read.
 */
export function formValue(fields: FormField[], raw: Record<string, string | boolean>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of fields) {
    const entry = raw[field.name];
    if (field.kind === 'boolean') {
      value[field.name] = entry === true;
      continue;
    }
    const text = typeof entry === 'string' ? entry.trim() : '';
    if (text === '') {
      if (field.required) throw new FormValueError(field.name, `${field.label} is required`);
      continue;
    }
    if (field.kind === 'number' || field.kind === 'integer') {
      const number = Number(text);
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) throw new FormValueError(field.name, `${field.label} must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}`);
      value[field.name] = number;
    } else if (field.kind === 'json') {
      try {
        value[field.name] = JSON.parse(text) as unknown;
      } catch {
        throw new FormValueError(field.name, `${field.label} must be JSON`);
      }
    } else {
      value[field.name] = text;
    }
  }
  return value;
}

/** A workflow's declared inputs as a form schema, so the run form and the human-input form are one component. */
export function inputsSchema(inputs: ReadonlyArray<{ name: string; type: string; required?: boolean; description?: string; default?: unknown }>): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(inputs.map((input) => [input.name, { type: input.type, ...(input.description ? { description: input.description } : {}) }])),
    required: inputs.filter((input) => input.required && input.default === undefined).map((input) => input.name),
  };
}
