import type { CodedError } from './problems.js';
import { advance, type ServerEvent } from './sse.js';
import type { RunStatus, RunUsage } from './types.js';

/** A model call or a tool call of the answer being streamed, timed as its events arrive. */
export interface LiveStep {
  key: string;
  name: string;
  type: string;
  /** stopped: still running when the run ended (a cancelled model call). */
  status: 'running' | 'completed' | 'failed' | 'stopped';
  /** Client clock when step.started arrived; the run's steps give the server's timings once it ends. */
  startedAt: number;
  durationMs?: number;
  tokens?: number;
  costMicros?: number;
  error?: string;
}

/**
 * The answer being streamed into a conversation, as much as the page knows of it. It is kept in
 * sessionStorage after every event, so a reload picks the stream up after the last event seen
 * (Last-Event-ID) and shows what had come before without asking for it again.
 */
export interface LiveRun {
  conversationId: string;
  runId: string | null;
  /** The id of the last event applied: where a reconnection resumes. */
  lastEventId: number;
  /** What the user sent, shown until the conversation has the stored message. */
  userText: string;
  /** The message the user's message answers (null: a new first message); undefined: the current leaf. */
  parentId?: string | null;
  text: string;
  steps: LiveStep[];
  status: RunStatus | 'sending';
  error: CodedError | null;
  warning: string | null;
  usage: RunUsage | null;
  /** The partial answer a cancelled or failed run kept. */
  partial: boolean;
  sentAt: number;
  ended: boolean;
}

const FINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'expired']);

export function newLiveRun(conversationId: string, userText: string, parentId: string | null | undefined): LiveRun {
  return {
    conversationId,
    runId: null,
    lastEventId: 0,
    userText,
    ...(parentId !== undefined ? { parentId } : {}),
    text: '',
    steps: [],
    status: 'sending',
    error: null,
    warning: null,
    usage: null,
    partial: false,
    sentAt: Date.now(),
    ended: false,
  };
}

/** The run after one more event; events at or before the last one applied change nothing. */
export function applyEvent(run: LiveRun, event: ServerEvent, now = Date.now()): LiveRun {
  const advanced = advance(run, event);
  if (!advanced) return run;
  const { next, data } = advanced;
  if (typeof data.runId === 'string') next.runId = data.runId;
  switch (event.type) {
    case 'run.queued':
      next.status = 'pending';
      break;
    case 'run.started':
    case 'run.resumed':
      next.status = 'running';
      break;
    case 'run.retrying':
      next.warning = `Retrying after an error (attempt ${String(data.attempt ?? '')})`;
      break;
    case 'run.warning':
      if (Array.isArray(data.unavailableTools) && data.unavailableTools.length > 0) {
        next.warning = `Not available to this answer: ${data.unavailableTools.map(describeUnavailable).join('; ')}`;
      }
      break;
    case 'step.started':
      next.status = 'running';
      next.steps = [
        ...run.steps.filter((s) => s.key !== data.key),
        { key: String(data.key), name: String(data.name ?? data.key), type: String(data.type ?? ''), status: 'running', startedAt: now },
      ];
      break;
    case 'step.completed':
    case 'step.failed': {
      const usage = (data.usage ?? {}) as Partial<RunUsage>;
      next.steps = run.steps.map((s) =>
        s.key !== data.key
          ? s
          : {
              ...s,
              status: event.type === 'step.completed' ? 'completed' : 'failed',
              durationMs: now - s.startedAt,
              tokens: (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0),
              costMicros: usage.costMicros ?? 0,
              ...(event.type === 'step.failed' ? { error: String((data.error as { message?: string } | undefined)?.message ?? 'failed') } : {}),
            },
      );
      break;
    }
    case 'token':
      if (typeof data.text === 'string') next.text = run.text + data.text;
      break;
    case 'run.requires_action':
      next.status = 'requires_action';
      next.ended = true;
      break;
    default:
      if (event.type.startsWith('run.') && FINAL.has(event.type.slice(4))) {
        next.status = event.type.slice(4) as RunStatus;
        next.ended = true;
        next.steps = next.steps.map((s) => (s.status === 'running' ? { ...s, status: 'stopped', durationMs: now - s.startedAt } : s));
        const output = data.output as { content?: unknown } | undefined;
        if (output && typeof output.content === 'string') next.text = output.content;
        next.partial = data.partial === true;
        if (data.usage) next.usage = data.usage as RunUsage;
        if (data.error) next.error = data.error as CodedError;
      }
  }
  return next;
}

/** An unavailable tool as the run.warning event names it: { name, reason } (or just a name). */
function describeUnavailable(tool: unknown): string {
  if (typeof tool === 'string') return tool;
  const { name, reason } = (tool ?? {}) as { name?: unknown; reason?: unknown };
  return typeof reason === 'string' ? `${String(name)} (${reason})` : String(name);
}

const STORAGE_KEY = 'playground.liveRun';

/** The answer this tab was streaming, if any (one at a time: the composer waits for it). */
export function savedLiveRun(storage: Storage = sessionStorage): LiveRun | null {
  const raw = storage.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as LiveRun;
  } catch {
    storage.removeItem(STORAGE_KEY);
    return null;
  }
}

export function saveLiveRun(run: LiveRun | null, storage: Storage = sessionStorage): void {
  if (run === null || run.ended) storage.removeItem(STORAGE_KEY);
  else storage.setItem(STORAGE_KEY, JSON.stringify(run));
}
