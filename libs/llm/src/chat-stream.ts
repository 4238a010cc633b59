import { randomBytes } from 'node:crypto';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { BaseChatModel, BindToolsInput, ToolChoice } from '@langchain/core/language_models/chat_models';
import { AIMessage, type AIMessageChunk, type UsageMetadata } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import { ModelConfigurationError, ModelProviderError, toModelProviderError } from './llm-errors.js';
import { callSettingsOf, describeModel } from './model-providers.js';
import type { TokenUsage } from './price-table.js';

/** A tool call the model asked for, with its arguments parsed. */
export interface ToolCallRequest {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A tool call whose arguments are not a JSON object: the loop answers it with an error result. */
export interface InvalidToolCallRequest {
  id: string;
  name: string;
  rawArgs: string;
  error: string;
}

export interface ChatResult {
  text: string;
  toolCalls: ToolCallRequest[];
  invalidToolCalls: InvalidToolCallRequest[];
  /** Absent when the provider reported none (then cost cannot be computed). */
  usage?: TokenUsage;
  /** 'stop', 'length', 'tool_calls', ... as the provider said (Anthropic's stop reasons mapped to these). */
  finishReason?: string;
  /** The model that answered, as the provider named it (e.g. a dated snapshot). */
  responseModel?: string;
  /** The reply as a LangChain message, ready to go back into the history. */
  message: AIMessage;
}

/** What streamChat yields, in order: text deltas as they come, then the tool calls, the usage, and done. */
export type ChatDelta =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; toolCall: ToolCallRequest }
  | { type: 'invalid_tool_call'; toolCall: InvalidToolCallRequest }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'done'; result: ChatResult };

export interface ChatCallOptions {
  tools?: BindToolsInput[];
  toolChoice?: ToolChoice;
  /** Aborting stops the HTTP request to the provider; the call then fails with kind 'aborted'. */
  signal?: AbortSignal;
  /** Overrides the model's timeoutMs for this call. */
  timeoutMs?: number;
}

/**
 * One model call's cancellation: our own controller (so a consumer leaving early, a timeout and
 * the caller's signal all end the HTTP request), and error mapping that knows which one fired.
 */
class CallGuard {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private readonly onAbort = () => this.controller.abort(this.options.signal?.reason);
  private readonly provider: string;
  private readonly secrets: string[];
  private readonly timeoutMs: number;

  constructor(
    model: BaseChatModel,
    private readonly options: ChatCallOptions,
  ) {
    this.provider = describeModel(model)?.provider ?? 'unknown';
    const settings = callSettingsOf(model);
    this.secrets = settings.secrets;
    this.timeoutMs = options.timeoutMs ?? settings.timeoutMs;
    if (options.signal?.aborted) this.onAbort();
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Runs the timeout only while we wait for the provider, never while the consumer handles a
   * delta: a slow consumer (writing events to the database) must not look like a stalled provider.
   */
  waiting(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
    this.timer.unref();
  }

  received(): void {
    clearTimeout(this.timer);
  }

  /** Throws if the call was cancelled or timed out, even if the stream ended quietly. */
  check(): void {
    if (this.timedOut || this.options.signal?.aborted) throw this.fail(this.options.signal?.reason);
  }

  fail(error: unknown): ModelProviderError {
    if (this.timedOut) return new ModelProviderError(this.provider, 'timeout', `the model provider did not answer within ${this.timeoutMs} ms (${this.provider})`);
    return toModelProviderError(error, { provider: this.provider, secrets: this.secrets, signal: this.options.signal });
  }

  /** Ends the HTTP request unless the call completed. */
  dispose(completed: boolean): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (!completed) this.controller.abort();
  }
}

/**
 * Streams one model call as typed deltas. Tool-call fragments are assembled by index and handed
 * out whole, with parsed arguments, once the stream ends. A failed call throws ModelProviderError
 * (kind 'aborted' when `signal` fired, 'timeout' after timeoutMs without a chunk); a model that
 * cannot take tools throws ModelConfigurationError. Leaving the loop early also stops the request
 * to the provider. Text already yielded stays valid after a failure: it is the partial answer.
 */
export async function* streamChat(model: BaseChatModel, messages: BaseLanguageModelInput, options: ChatCallOptions = {}): AsyncGenerator<ChatDelta, ChatResult> {
  const guard = new CallGuard(model, options);
  let text = '';
  const fragments = new Map<number, { id: string; name: string; args: string }>();
  let usage: TokenUsage | undefined;
  let usageMetadata: UsageMetadata | undefined;
  let finishReason: string | undefined;
  let responseModel: string | undefined;
  let completed = false;
  let chunks = 0;
  try {
    guard.check();
    const runnable = withTools(model, options);
    let stream: AsyncIterable<AIMessageChunk>;
    try {
      guard.waiting();
      stream = await runnable.stream(messages, { signal: guard.signal });
    } catch (error) {
      throw guard.fail(error);
    }
    const iterator = stream[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<AIMessageChunk>;
      try {
        guard.waiting();
        next = await iterator.next();
      } catch (error) {
        throw guard.fail(error);
      }
      guard.received();
      if (next.done) break;
      chunks++;
      const chunk = next.value;
      const piece = typeof chunk.content === 'string' ? chunk.content : textOfBlocks(chunk.content);
      if (piece !== '') {
        text += piece;
        yield { type: 'text', text: piece };
      }
      for (const part of chunk.tool_call_chunks ?? []) {
        const index = part.index ?? fragments.size;
        const entry = fragments.get(index) ?? { id: '', name: '', args: '' };
        entry.id += part.id ?? '';
        entry.name += part.name ?? '';
        entry.args += part.args ?? '';
        fragments.set(index, entry);
      }
      if (chunk.usage_metadata) {
        usageMetadata = mergeUsage(usageMetadata, chunk.usage_metadata);
        usage = toTokenUsage(usageMetadata);
      }
      const facts = replyFacts(chunk);
      if (facts.finishReason) finishReason = facts.finishReason;
      if (facts.responseModel) responseModel = facts.responseModel;
    }
    // LangChain ends an aborted stream quietly in some paths; an aborted call never counts as an answer.
    guard.check();
    // A 200 that carried no completion chunk at all (an HTML error page, a proxy's body) is not an empty answer.
    if (chunks === 0) throw new ModelProviderError(describeModel(model)?.provider ?? 'unknown', 'invalid_response', 'the provider answered without any completion data');

    const toolCalls: ToolCallRequest[] = [];
    const invalidToolCalls: InvalidToolCallRequest[] = [];
    for (const [, entry] of [...fragments.entries()].sort(([a], [b]) => a - b)) {
      const call = parseToolCall(entry);
      if ('args' in call) {
        toolCalls.push(call);
        yield { type: 'tool_call', toolCall: call };
      } else {
        invalidToolCalls.push(call);
        yield { type: 'invalid_tool_call', toolCall: call };
      }
    }
    if (usage) yield { type: 'usage', usage };
    const result: ChatResult = {
      text,
      toolCalls,
      invalidToolCalls,
      ...(usage ? { usage } : {}),
      ...(finishReason ? { finishReason } : {}),
      ...(responseModel ? { responseModel } : {}),
      message: toAiMessage(text, toolCalls, invalidToolCalls, usageMetadata, finishReason, responseModel),
    };
    completed = true;
    yield { type: 'done', result };
    return result;
  } finally {
    guard.dispose(completed);
  }
}

/** One model call without streaming (a plain JSON completion), with the same result and errors. */
export async function completeChat(model: BaseChatModel, messages: BaseLanguageModelInput, options: ChatCallOptions = {}): Promise<ChatResult> {
  const guard = new CallGuard(model, options);
  const runnable = withTools(model, options);
  let reply: AIMessageChunk | AIMessage;
  try {
    guard.check();
    guard.waiting();
    reply = await runnable.invoke(messages, { signal: guard.signal });
    guard.check();
  } catch (error) {
    throw guard.fail(error);
  } finally {
    guard.dispose(true);
  }
  const text = typeof reply.content === 'string' ? reply.content : textOfBlocks(reply.content);
  const toolCalls: ToolCallRequest[] = (reply.tool_calls ?? []).map((call) => ({ id: call.id || newCallId(), name: call.name, args: call.args }));
  const invalidToolCalls: InvalidToolCallRequest[] = (reply.invalid_tool_calls ?? []).map((call) => ({
    id: call.id || newCallId(),
    name: call.name ?? '',
    rawArgs: call.args ?? '',
    error: call.error ?? 'arguments are not valid JSON',
  }));
  const { finishReason, responseModel } = replyFacts(reply);
  const usage = reply.usage_metadata ? toTokenUsage(reply.usage_metadata) : undefined;
  return {
    text,
    toolCalls,
    invalidToolCalls,
    ...(usage ? { usage } : {}),
    ...(finishReason ? { finishReason } : {}),
    ...(responseModel ? { responseModel } : {}),
    message: toAiMessage(text, toolCalls, invalidToolCalls, reply.usage_metadata, finishReason, responseModel),
  };
}

/** LangChain's usage metadata in our terms. */
export function toTokenUsage(metadata: UsageMetadata): TokenUsage {
  const cached = metadata.input_token_details?.cache_read;
  return {
    inputTokens: metadata.input_tokens ?? 0,
    outputTokens: metadata.output_tokens ?? 0,
    ...(cached ? { cachedInputTokens: cached } : {}),
  };
}

/**
 * Combines the usage of two chunks of one reply. Providers report it once (OpenAI's last chunk)
 * or as running totals split across chunks (Anthropic: the prompt at message_start, output so far
 * at message_delta, the other side 0), so the larger count of each field is the reply's total.
 */
function mergeUsage(previous: UsageMetadata | undefined, next: UsageMetadata): UsageMetadata {
  if (!previous) return next;
  const input = Math.max(previous.input_tokens ?? 0, next.input_tokens ?? 0);
  const output = Math.max(previous.output_tokens ?? 0, next.output_tokens ?? 0);
  const merged: UsageMetadata = { ...previous, ...next, input_tokens: input, output_tokens: output, total_tokens: input + output };
  const a = previous.input_token_details;
  const b = next.input_token_details;
  if (a || b) {
    merged.input_token_details = {
      ...a,
      ...b,
      ...(a?.cache_read !== undefined || b?.cache_read !== undefined ? { cache_read: Math.max(a?.cache_read ?? 0, b?.cache_read ?? 0) } : {}),
      ...(a?.cache_creation !== undefined || b?.cache_creation !== undefined ? { cache_creation: Math.max(a?.cache_creation ?? 0, b?.cache_creation ?? 0) } : {}),
    };
  }
  return merged;
}

/** Anthropic's stop reasons in the OpenAI terms the rest of the platform uses. */
const ANTHROPIC_STOP_REASONS: Readonly<Record<string, string>> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls' };

/**
 * The finish reason and answering model of a reply or chunk. OpenAI puts them in
 * response_metadata (finish_reason, model_name); @langchain/anthropic in response_metadata when
 * not streaming and in additional_kwargs when streaming (stop_reason, model).
 */
function replyFacts(message: AIMessageChunk | AIMessage): { finishReason?: string; responseModel?: string } {
  const meta = (message.response_metadata ?? {}) as Record<string, unknown>;
  const extra = (message.additional_kwargs ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const stopReason = text(meta.stop_reason) ?? text(extra.stop_reason);
  const finishReason = text(meta.finish_reason) ?? (stopReason === undefined ? undefined : (Object.hasOwn(ANTHROPIC_STOP_REASONS, stopReason) ? ANTHROPIC_STOP_REASONS[stopReason] : stopReason));
  const responseModel = text(meta.model_name) ?? text(meta.model) ?? text(extra.model);
  return { ...(finishReason ? { finishReason } : {}), ...(responseModel ? { responseModel } : {}) };
}

function withTools(model: BaseChatModel, options: ChatCallOptions): Runnable<BaseLanguageModelInput, AIMessageChunk> {
  if (!options.tools || options.tools.length === 0) return model;
  if (!model.bindTools) {
    throw new ModelConfigurationError(describeModel(model)?.provider ?? 'unknown', 'invalid-settings', 'this model cannot call tools');
  }
  return model.bindTools(options.tools, options.toolChoice === undefined ? {} : { tool_choice: options.toolChoice });
}

function parseToolCall(entry: { id: string; name: string; args: string }): ToolCallRequest | InvalidToolCallRequest {
  const id = entry.id || newCallId();
  // A call without arguments streams none at all.
  const raw = entry.args.trim() === '' ? '{}' : entry.args;
  try {
    const args: unknown = JSON.parse(raw);
    if (typeof args === 'object' && args !== null && !Array.isArray(args)) return { id, name: entry.name, args: args as Record<string, unknown> };
    return { id, name: entry.name, rawArgs: entry.args, error: 'arguments must be a JSON object' };
  } catch {
    return { id, name: entry.name, rawArgs: entry.args, error: 'arguments are not valid JSON' };
  }
}

function newCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}

function textOfBlocks(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((block: unknown) => (typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'text' ? String((block as { text?: unknown }).text ?? '') : '')).join('');
}

function toAiMessage(
  text: string,
  toolCalls: ToolCallRequest[],
  invalidToolCalls: InvalidToolCallRequest[],
  usage: UsageMetadata | undefined,
  finishReason: string | undefined,
  responseModel: string | undefined,
): AIMessage {
  return new AIMessage({
    content: text,
    tool_calls: toolCalls.map((call) => ({ ...call, type: 'tool_call' as const })),
    invalid_tool_calls: invalidToolCalls.map((call) => ({ id: call.id, name: call.name, args: call.rawArgs, error: call.error, type: 'invalid_tool_call' as const })),
    ...(usage ? { usage_metadata: usage } : {}),
    response_metadata: { ...(finishReason ? { finish_reason: finishReason } : {}), ...(responseModel ? { model_name: responseModel } : {}) },
  });
}
