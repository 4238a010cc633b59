import type { RunUsageView, RunView } from '#contracts';
import { answerText } from '../run-targets/run-targets.service.js';

/** OpenAI's shapes built from runs: ids, completions, chunks and response objects. */

const HEX_UUID = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;

/** A run id as 32 hex digits, the way it is carried inside OpenAI-style ids. */
export function compactId(runId: string): string {
  return runId.replace(/-/g, '').toLowerCase();
}

export function uuidOf(compact: string): string | undefined {
  const m = HEX_UUID.exec(compact);
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}` : undefined;
}

export const completionId = (runId: string) => `chatcmpl-${compactId(runId)}`;
export const responseId = (runId: string) => `resp_${compactId(runId)}`;
export const messageItemId = (runId: string) => `msg_${compactId(runId)}`;

/**
 * The id a client sees for a tool call the agent made: the run and the model's own call id, so the
 * next request carrying its result finds the run it continues without any state kept here.
 */
export function clientToolCallId(runId: string, callId: string): string {
  return `call_${compactId(runId)}_${Buffer.from(callId, 'utf8').toString('base64url')}`;
}

export function parseClientToolCallId(id: string): { runId: string; callId: string } | undefined {
  const m = /^call_([0-9a-f]{32})_([A-Za-z0-9_-]{1,400})$/.exec(id);
  const runId = m ? uuidOf(m[1]) : undefined;
  if (!m || !runId) return undefined;
  const callId = Buffer.from(m[2], 'base64url').toString('utf8');
  return callId.length > 0 ? { runId, callId } : undefined;
}

export interface RequiredCall {
  id: string;
  name: string;
  arguments: string;
}

/** The client tool calls a run in requires_action waits for; undefined when it waits for something else (an approval, a form). */
export function clientToolCallsOf(action: unknown): RequiredCall[] | undefined {
  const value = action as { type?: unknown; toolCalls?: unknown } | null;
  if (value?.type !== 'client_tool_calls' || !Array.isArray(value.toolCalls)) return undefined;
  return (value.toolCalls as RequiredCall[]).map((c) => ({ id: String(c.id), name: String(c.name), arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) }));
}

/** Usage as OpenAI counts it; a run event's usage carries no total, so it is summed here. */
export function chatUsage(usage: Pick<RunUsageView, 'promptTokens' | 'completionTokens'>): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}

export function unixSeconds(iso: string | null | undefined): number {
  const ms = iso ? Date.parse(iso) : Date.now();
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** True when a failed run stopped at its token limit: OpenAI calls that finish_reason 'length'. */
export function stoppedAtLength(run: Pick<RunView, 'status' | 'error'>): boolean {
  return run.status === 'failed' && run.error?.code === 'LIMIT_EXCEEDED' && run.error.limit === 'maxTokens';
}

export function chatCompletion(run: RunView, model: string, finish: FinishReason, calls: RequiredCall[] | undefined) {
  const content = answerText(run.output);
  return {
    id: completionId(run.id),
    object: 'chat.completion' as const,
    created: unixSeconds(run.createdAt),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: calls && content.length === 0 ? null : content,
          refusal: null,
          ...(calls ? { tool_calls: calls.map((c) => ({ id: clientToolCallId(run.id, c.id), type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage: chatUsage(run.usage),
  };
}

/** The chunks of one streamed completion, all with the same id, created time and model. */
export class ChunkWriter {
  constructor(
    private readonly runId: string,
    private readonly model: string,
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {}

  delta(delta: Record<string, unknown>, finish: FinishReason | null = null) {
    return this.chunk([{ index: 0, delta, logprobs: null, finish_reason: finish }]);
  }

  toolCalls(calls: RequiredCall[]) {
    return this.delta({
      tool_calls: calls.map((c, index) => ({ index, id: clientToolCallId(this.runId, c.id), type: 'function', function: { name: c.name, arguments: c.arguments } })),
    });
  }

  /** The last chunk with stream_options.include_usage: no choices, the run's usage. */
  usage(usage: RunUsageView) {
    return { ...this.chunk([]), usage: chatUsage(usage) };
  }

  private chunk(choices: unknown[]) {
    return {
      id: completionId(this.runId),
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model: this.model,
      choices,
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }
}

const RESPONSE_STATUS: Record<RunView['status'], string> = {
  pending: 'queued',
  running: 'in_progress',
  requires_action: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'failed',
};

export interface ResponseContext {
  model: string;
  instructions: string | null;
  previousResponseId: string | null;
  temperature: number | null;
  maxOutputTokens: number | null;
  user: string | null;
  metadata: Record<string, string>;
}

/** The message item of a response: the run's answer so far. */
export function responseMessage(run: RunView, text: string, status: 'in_progress' | 'completed' | 'incomplete') {
  return {
    type: 'message' as const,
    id: messageItemId(run.id),
    status,
    role: 'assistant' as const,
    content: [{ type: 'output_text' as const, text, annotations: [] as unknown[], logprobs: [] as unknown[] }],
  };
}

/** A run as a Responses API object. */
export function responseObject(run: RunView, context: ResponseContext, textOverride?: string) {
  const length = stoppedAtLength(run);
  const status = length ? 'incomplete' : RESPONSE_STATUS[run.status];
  const text = textOverride ?? answerText(run.output);
  const hasOutput = run.status === 'completed' || text.length > 0;
  const failed = (run.status === 'failed' || run.status === 'expired') && !length;
  return {
    id: responseId(run.id),
    object: 'response' as const,
    created_at: unixSeconds(run.createdAt),
    status,
    background: run.background,
    model: context.model,
    instructions: context.instructions,
    previous_response_id: context.previousResponseId,
    output: hasOutput ? [responseMessage(run, text, run.status === 'completed' ? 'completed' : length ? 'incomplete' : 'in_progress')] : [],
    output_text: text,
    error: failed && run.error ? { code: 'server_error', message: `${run.error.code}: ${run.error.message}` } : null,
    incomplete_details: length ? { reason: 'max_output_tokens' } : null,
    usage: {
      input_tokens: run.usage.promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: run.usage.completionTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: run.usage.totalTokens,
    },
    temperature: context.temperature,
    top_p: null,
    max_output_tokens: context.maxOutputTokens,
    parallel_tool_calls: false,
    tool_choice: 'auto' as const,
    tools: [] as unknown[],
    text: { format: { type: 'text' as const } },
    truncation: 'disabled' as const,
    user: context.user,
    metadata: context.metadata,
  };
}
