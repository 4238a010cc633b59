import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  ConversationContracts,
  isSettledRunStatus,
  RunContracts,
  type RunEventView,
  type RunHistoryMessage,
  type RunModelSettings,
  type RunUsageView,
  type RunView,
  type StartRunRequest,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SseStream } from '../http/sse.js';
import { answerText, type ResolvedRunTarget, type RunTarget, RunTargetsService } from '../run-targets/run-targets.service.js';
import { RunsService } from '../runs/runs.service.js';
import { toOpenAiError } from '../http/openai-error.js';
import { OpenAiErrors } from './openai.errors.js';
import {
  chatCompletion,
  ChunkWriter,
  clientToolCallsOf,
  type FinishReason,
  parseClientToolCallId,
  type ResponseContext,
  responseMessage,
  responseId,
  responseObject,
  stoppedAtLength,
  unixSeconds,
  uuidOf,
} from './openai.mapper.js';
import type { ChatCompletionRequest, CreateResponseRequest } from './openai.requests.js';

/** What a chat's messages ask: a new run (input and history), or the results of a paused run's client tools. */
type ChatAsk =
  | { kind: 'start'; instructions: string | undefined; history: RunHistoryMessage[]; input: string }
  | { kind: 'continue'; runId: string; toolOutputs: Array<{ toolCallId: string; output: string }> };

/**
 * The OpenAI-compatible face: models are the caller's agents and published workflows, and every
 * completion or response is a run started through the execution service's run API, so it is
 * durable, limited, counted in usage and listed in /api/v1/runs like any other.
 */
@Injectable()
export class OpenAiService {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly runs: RunsService,
    private readonly targets: RunTargetsService,
  ) {}

  /** GET /v1/models: a model's id is its slug when no other of the caller's targets shares it, else its uuid. */
  async models(actor: Actor) {
    const targets = await this.targets.list(actor);
    const slugCount = new Map<string, number>();
    for (const t of targets) slugCount.set(t.slug, (slugCount.get(t.slug) ?? 0) + 1);
    return { object: 'list' as const, data: targets.map((t) => modelObject(t, slugCount.get(t.slug) === 1 ? t.slug : t.id)) };
  }

  /** GET /v1/models/:model: one model, by the id or slug (and @version) a request would name it with. */
  async model(actor: Actor, model: string) {
    const target = await this.targets.resolve(actor, model);
    return { ...modelObject(target, model), version: target.version };
  }

  /** POST /v1/chat/completions: starts (or continues) a run and answers as a completion or as chunks. */
  async chatCompletion(actor: Actor, body: ChatCompletionRequest, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const target = await this.targets.resolve(actor, body.model);
    const ask = parseChat(body.messages);
    let run: RunView;
    let afterSeq = 0;
    if (ask.kind === 'continue') {
      const paused = await this.bus.request(RunContracts.get, { id: ask.runId }, { actor });
      if (paused.agentId !== target.id) throw OpenAiErrors.invalid('messages', `the tool results answer a run of another model than '${body.model}'`);
      afterSeq = await this.runs.lastEventSeq(actor, paused.id);
      run = await this.bus.request(RunContracts.resume, { id: paused.id, toolOutputs: ask.toolOutputs }, { actor });
    } else {
      run = await this.start(actor, target, request, {
        input: ask.input,
        history: ask.history,
        instructions: ask.instructions,
        tools: body.tools?.map((t) => ({ name: t.function.name, description: t.function.description ?? '', ...(t.function.parameters ? { parameters: t.function.parameters } : {}) })),
        modelSettings: settingsOf(body.temperature, body.max_completion_tokens ?? body.max_tokens),
        endUser: body.user,
      });
    }
    void reply.header('x-run-id', run.id);
    if (body.stream === true) return this.streamChat(actor, run, target, body, afterSeq, request, reply);
    const settled = await this.runs.settle(actor, run, clientGone(reply));
    if (!isSettledRunStatus(settled.status)) return;
    void reply.status(200).send(completionOf(settled, body.model));
  }

  /** POST /v1/responses: a run in a conversation (a new one, or the one previous_response_id answered in, branching from its answer). */
  async createResponse(actor: Actor, body: CreateResponseRequest, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (body.stream === true && body.background === true) throw OpenAiErrors.invalid('background', 'stream and background cannot be combined');
    const target = await this.targets.resolve(actor, body.model);
    const { input, instructions } = parseResponseInput(body.input, body.instructions);
    let conversationId: string;
    let parentId: string | undefined;
    if (body.previous_response_id !== undefined) {
      const previous = await this.bus.request(RunContracts.get, { id: uuidOf(body.previous_response_id.slice('resp_'.length)) as string }, { actor });
      const output = previous.output as { messageId?: unknown } | null;
      if ((previous.agentId ?? previous.workflowId) !== target.id) throw OpenAiErrors.invalid('previous_response_id', `the previous response was made by another model than '${body.model}'`);
      if (previous.conversationId === null || typeof output?.messageId !== 'string') {
        throw OpenAiErrors.invalid('previous_response_id', 'the previous response has no stored answer to continue from (it did not complete in a conversation)');
      }
      conversationId = previous.conversationId;
      parentId = output.messageId;
    } else {
      const conversation = await this.bus.request(
        ConversationContracts.create,
        { ...(target.kind === 'agent' ? { agentId: target.id } : { workflowId: target.id }), metadata: { source: 'openai-responses' } },
        { actor },
      );
      conversationId = conversation.id;
    }
    const run = await this.bus.request(
      RunContracts.start,
      {
        ...(target.kind === 'agent' ? { agentId: target.id, ...(target.versionGiven ? { version: target.version } : {}) } : { ...(target.versionGiven ? { version: target.version } : {}) }),
        conversationId,
        ...(parentId !== undefined ? { parentId } : {}),
        input,
        ...(instructions !== undefined ? { instructions } : {}),
        ...(target.kind === 'agent' ? optional({ modelSettings: settingsOf(body.temperature, body.max_output_tokens), endUser: body.user }) : {}),
        background: body.background === true,
        ...optional({ idempotencyKey: this.runs.idempotencyKeyOf(request) }),
      },
      { actor },
    );
    const context: ResponseContext = {
      model: body.model,
      instructions: instructions ?? null,
      previousResponseId: body.previous_response_id ?? null,
      temperature: body.temperature ?? null,
      maxOutputTokens: body.max_output_tokens ?? null,
      user: body.user ?? null,
      metadata: body.metadata ?? {},
    };
    void reply.header('x-run-id', run.id);
    if (body.background === true) {
      void reply.status(200).send(responseObject(run, context));
      return;
    }
    if (body.stream === true) return this.streamResponse(actor, run, target, context, request, reply);
    const settled = await this.runs.settle(actor, run, clientGone(reply));
    if (!isSettledRunStatus(settled.status)) return;
    if (settled.status === 'requires_action') throw OpenAiErrors.waitsForPerson(settled.id, 'an answer the Responses API cannot give');
    void reply.status(200).send(responseObject(settled, context));
  }

  /** GET /v1/responses/:id: the run as a response; previous_response_id is found from the message it answered. */
  async getResponse(actor: Actor, id: string) {
    const run = await this.bus.request(RunContracts.get, { id: runIdOf(id) }, { actor });
    return responseObject(run, await this.contextOf(actor, run));
  }

  /** POST /v1/responses/:id/cancel: cancels the run (a model call in flight is aborted). */
  async cancelResponse(actor: Actor, id: string) {
    const run = await this.bus.request(RunContracts.cancel, { id: runIdOf(id) }, { actor });
    return responseObject(run, await this.contextOf(actor, run));
  }

  private start(actor: Actor, target: ResolvedRunTarget, request: FastifyRequest, ask: Omit<StartRunRequest, 'agentId'>): Promise<RunView> {
    const idempotencyKey = this.runs.idempotencyKeyOf(request);
    const version = target.versionGiven || target.kind === 'workflow' ? { version: target.version } : {};
    if (target.kind === 'agent') {
      return this.bus.request(
        RunContracts.start,
        {
          agentId: target.id,
          ...version,
          input: ask.input,
          ...(ask.history && ask.history.length > 0 ? { history: ask.history } : {}),
          ...optional({ instructions: ask.instructions, tools: ask.tools, modelSettings: ask.modelSettings, endUser: ask.endUser, idempotencyKey }),
        },
        { actor },
      );
    }
    // A workflow takes inputs, not a chat: the message fills its first text input, and nothing else of a chat applies.
    if (ask.history && ask.history.length > 0) throw OpenAiErrors.unsupported('messages', 'a workflow answers one user message; send no earlier messages');
    if (ask.instructions !== undefined) throw OpenAiErrors.unsupported('messages', 'a workflow takes no system messages');
    if (ask.tools !== undefined) throw OpenAiErrors.unsupported('tools', 'a workflow takes no client tools');
    return this.targets.workflowInputs(actor, target.id, target.version).then((inputs) => {
      const messageInput = inputs.find((f) => f.type === 'string' || f.type === 'any');
      if (!messageInput) throw OpenAiErrors.unsupported('model', 'this workflow has no text input for the message');
      return this.bus.request(RunContracts.startWorkflow, { workflowId: target.id, ...version, inputs: { [messageInput.name]: ask.input }, ...optional({ idempotencyKey }) }, { actor });
    });
  }

  /** Chunks as the run goes: its text as content deltas, then tool calls or the finish reason, the usage chunk when asked, and [DONE]. */
  private async streamChat(actor: Actor, run: RunView, target: ResolvedRunTarget, body: ChatCompletionRequest, afterSeq: number, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const stream = new SseStream(request, reply);
    stream.open({ 'x-run-id': run.id });
    const chunks = new ChunkWriter(run.id, body.model, unixSeconds(run.createdAt), body.stream_options?.include_usage === true);
    const send = (value: unknown) => stream.frame(JSON.stringify(value));
    const finish = (reason: FinishReason, usage: RunUsageView) => {
      send(chunks.delta({}, reason));
      if (body.stream_options?.include_usage === true) send(chunks.usage(usage));
      stream.frame('[DONE]');
      stream.end();
    };
    const fail = (err: unknown) => {
      send(toOpenAiError(err, request));
      stream.end();
    };
    send(chunks.delta({ role: 'assistant', content: '' }));
    try {
      for await (const event of this.runs.events(actor, run.id, afterSeq, stream.whenClosed())) {
        const data = (event.data ?? {}) as EventData;
        if (event.type === 'token' && target.kind === 'agent' && typeof data.text === 'string') send(chunks.delta({ content: data.text }));
        const ending = endingOf(event, run.id);
        if (!ending) continue;
        if (ending.kind === 'error') return fail(ending.error);
        if (ending.kind === 'tool_calls') {
          send(chunks.toolCalls(ending.calls));
          return finish('tool_calls', ending.usage);
        }
        if (target.kind === 'workflow' && ending.reason === 'stop') send(chunks.delta({ content: answerText(data.output) }));
        return finish(ending.reason, ending.usage);
      }
      // The event stream closed without an ending: the client went away (nothing to write to).
      stream.end();
    } catch (err) {
      fail(err);
    }
  }

  /** The Responses API's streaming events, numbered: created, in_progress, the message item and its text deltas, then completed (or failed / incomplete). */
  private async streamResponse(actor: Actor, run: RunView, target: ResolvedRunTarget, context: ResponseContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const stream = new SseStream(request, reply);
    stream.open({ 'x-run-id': run.id });
    let sequence = 0;
    const emit = (type: string, fields: Record<string, unknown>) => stream.frame(JSON.stringify({ type, sequence_number: sequence++, ...fields }), type);
    const itemId = responseMessage(run, '', 'in_progress').id;
    const part = (text: string) => ({ type: 'output_text', text, annotations: [] });
    let text = '';
    let opened = false;
    const openItem = () => {
      if (opened) return;
      opened = true;
      emit('response.output_item.added', { output_index: 0, item: { ...responseMessage(run, '', 'in_progress'), content: [] } });
      emit('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: part('') });
    };
    const delta = (piece: string) => {
      openItem();
      text += piece;
      emit('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
    };
    emit('response.created', { response: responseObject(run, context, '') });
    emit('response.in_progress', { response: responseObject({ ...run, status: 'running' }, context, '') });
    try {
      for await (const event of this.runs.events(actor, run.id, 0, stream.whenClosed())) {
        const data = (event.data ?? {}) as EventData;
        if (event.type === 'token' && target.kind === 'agent' && typeof data.text === 'string') delta(data.text);
        const ending = endingOf(event, run.id);
        if (!ending) continue;
        const final = await this.bus.request(RunContracts.get, { id: run.id }, { actor });
        if (ending.kind === 'error' || ending.kind === 'tool_calls') {
          emit('response.failed', { response: responseObject(final, context, text) });
          stream.end();
          return;
        }
        if (target.kind === 'workflow' || text.length === 0) {
          const answer = answerText(final.output);
          if (answer.length > 0 && text.length === 0) delta(answer);
        }
        openItem();
        const status = ending.reason === 'length' ? 'incomplete' : 'completed';
        emit('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text, logprobs: [] });
        emit('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: part(text) });
        emit('response.output_item.done', { output_index: 0, item: responseMessage(final, text, status) });
        emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: responseObject(final, context, text) });
        stream.end();
        return;
      }
      stream.end();
    } catch (err) {
      const body = toOpenAiError(err, request);
      emit('error', { code: body.error.code, message: body.error.message, param: body.error.param });
      stream.end();
    }
  }

  /** The context a stored run was made with, as far as the run keeps it. */
  private async contextOf(actor: Actor, run: RunView): Promise<ResponseContext> {
    const input = (run.input ?? {}) as { instructions?: unknown; parentId?: unknown; modelSettings?: RunModelSettings; endUser?: unknown };
    const target = run.agentId ?? run.workflowId ?? 'unknown';
    const version = run.agentVersion ?? run.workflowVersion;
    return {
      model: version !== null ? `${target}@${version}` : target,
      instructions: typeof input.instructions === 'string' ? input.instructions : null,
      previousResponseId: typeof input.parentId === 'string' && run.conversationId ? await this.previousOf(actor, run.conversationId, input.parentId) : null,
      temperature: input.modelSettings?.temperature ?? null,
      maxOutputTokens: input.modelSettings?.maxTokens ?? null,
      user: typeof input.endUser === 'string' ? input.endUser : null,
      metadata: {},
    };
  }

  /** The response whose answer is `messageId`: the conversation's run that wrote it (among its latest 100). */
  private async previousOf(actor: Actor, conversationId: string, messageId: string): Promise<string | null> {
    const page = await this.bus.request(RunContracts.list, { conversationId, limit: 100 }, { actor });
    const previous = page.items.find((r) => (r.output as { messageId?: unknown } | null)?.messageId === messageId);
    return previous ? responseId(previous.id) : null;
  }
}

function modelObject(target: RunTarget, id: string) {
  return {
    id,
    object: 'model' as const,
    created: unixSeconds(target.createdAt),
    owned_by: 'you',
    kind: target.kind,
    name: target.name,
    description: target.description,
    target_id: target.id,
    version: target.defaultVersion,
  };
}

interface EventData {
  text?: unknown;
  output?: unknown;
  usage?: RunUsageView;
  action?: unknown;
  error?: { code: string; message: string; limit?: string };
}

type Ending =
  | { kind: 'finish'; reason: 'stop' | 'length'; usage: RunUsageView }
  | { kind: 'tool_calls'; calls: NonNullable<ReturnType<typeof clientToolCallsOf>>; usage: RunUsageView }
  | { kind: 'error'; error: unknown };

const NO_USAGE: RunUsageView = { promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 };

/** What a run event means for a completion: nothing yet, or how it ends. */
function endingOf(event: RunEventView, runId: string): Ending | undefined {
  const data = (event.data ?? {}) as EventData;
  const usage = data.usage ?? NO_USAGE;
  switch (event.type) {
    case 'run.completed':
      return { kind: 'finish', reason: 'stop', usage };
    case 'run.requires_action': {
      const calls = clientToolCallsOf(data.action);
      const what = (data.action as { type?: unknown } | null)?.type === 'tool_approval' ? 'a person to approve tool calls' : 'a person';
      return calls ? { kind: 'tool_calls', calls, usage } : { kind: 'error', error: OpenAiErrors.waitsForPerson(runId, what) };
    }
    case 'run.failed':
    case 'run.expired':
    case 'run.cancelled': {
      const status = event.type.slice('run.'.length);
      if (stoppedAtLength({ status: status as RunView['status'], error: data.error ? { ...data.error } : null })) return { kind: 'finish', reason: 'length', usage };
      return { kind: 'error', error: OpenAiErrors.runEnded(runId, status, data.error ?? null) };
    }
    default:
      return undefined;
  }
}

/** A settled run as a completion; a run that ended without an answer is the error the client gets. */
function completionOf(run: RunView, model: string) {
  if (run.status === 'completed') return chatCompletion(run, model, 'stop', undefined);
  if (stoppedAtLength(run)) return chatCompletion(run, model, 'length', undefined);
  if (run.status === 'requires_action') {
    const calls = clientToolCallsOf(run.requiredAction);
    if (!calls) throw OpenAiErrors.waitsForPerson(run.id, 'a person');
    return chatCompletion(run, model, 'tool_calls', calls);
  }
  throw OpenAiErrors.runEnded(run.id, run.status, run.error);
}

/** Resolves when the client hangs up before the reply was written. */
function clientGone(reply: FastifyReply): Promise<void> {
  return new Promise((resolve) => {
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) resolve();
    });
  });
}

function runIdOf(id: string): string {
  return uuidOf(id.slice('resp_'.length)) as string;
}

function settingsOf(temperature: number | undefined, maxTokens: number | undefined): RunModelSettings | undefined {
  if (temperature === undefined && maxTokens === undefined) return undefined;
  return { ...(temperature !== undefined ? { temperature } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
}

/** The fields that are set, without the undefined ones (the bus contract refuses nothing, but the run input stays tidy). */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A message's text: a string, or text parts; anything else (images, audio) this face cannot pass to an agent. */
function textOf(content: unknown, param: string, textTypes: readonly string[]): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part, i) => {
        const p = part as { type?: unknown; text?: unknown } | null;
        if (p === null || typeof p !== 'object' || !textTypes.includes(String(p.type)) || typeof p.text !== 'string') {
          throw OpenAiErrors.unsupported(`${param}[${i}]`, `only text parts (${textTypes.join(', ')}) are supported`);
        }
        return p.text;
      })
      .join('');
  }
  throw OpenAiErrors.invalid(param, 'content must be a string or an array of text parts');
}

/**
 * The chat's messages as a run asks them: system and developer messages become the caller's
 * instructions; a chat ending in a user message starts a run with the messages before it as
 * history; one ending in tool results continues the run whose tool calls they answer.
 */
function parseChat(messages: Array<Record<string, unknown>>): ChatAsk {
  const instructions: string[] = [];
  const turns: Array<RunHistoryMessage & { index: number }> = [];
  messages.forEach((m, index) => {
    const at = `messages[${index}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        instructions.push(textOf(m.content, `${at}.content`, ['text']));
        return;
      case 'user':
        turns.push({ index, role: 'user', content: textOf(m.content, `${at}.content`, ['text']) });
        return;
      case 'assistant': {
        const calls = m.tool_calls;
        if (calls !== undefined && calls !== null && !Array.isArray(calls)) throw OpenAiErrors.invalid(`${at}.tool_calls`, 'tool_calls must be an array');
        const toolCalls = (Array.isArray(calls) ? calls : []).map((c, i) => {
          const call = c as { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
          if (typeof call?.id !== 'string' || typeof call.function?.name !== 'string') throw OpenAiErrors.invalid(`${at}.tool_calls[${i}]`, 'a tool call needs an id and function.name');
          return { id: call.id, name: call.function.name, arguments: typeof call.function.arguments === 'string' ? call.function.arguments : '{}' };
        });
        const content = m.content === null || m.content === undefined ? '' : textOf(m.content, `${at}.content`, ['text', 'refusal']);
        turns.push({ index, role: 'assistant', content, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
        return;
      }
      case 'tool': {
        if (typeof m.tool_call_id !== 'string' || m.tool_call_id.length === 0) throw OpenAiErrors.invalid(`${at}.tool_call_id`, 'a tool message needs the tool_call_id it answers');
        turns.push({ index, role: 'tool', content: textOf(m.content, `${at}.content`, ['text']), toolCallId: m.tool_call_id });
        return;
      }
      default:
        throw OpenAiErrors.invalid(`${at}.role`, "role must be one of 'system', 'developer', 'user', 'assistant', 'tool'");
    }
  });
  const last = turns.at(-1);
  if (!last) throw OpenAiErrors.invalid('messages', 'messages must include a user message');
  const joined = instructions.length > 0 ? instructions.join('\n\n') : undefined;
  const strip = (t: RunHistoryMessage & { index: number }): RunHistoryMessage => ({
    role: t.role,
    content: t.content,
    ...(t.toolCalls ? { toolCalls: t.toolCalls } : {}),
    ...(t.toolCallId ? { toolCallId: t.toolCallId } : {}),
  });
  if (last.role === 'user') {
    if (last.content.trim().length === 0) throw OpenAiErrors.invalid(`messages[${last.index}].content`, 'the last user message is empty');
    return { kind: 'start', instructions: joined, history: turns.slice(0, -1).map(strip), input: last.content };
  }
  if (last.role !== 'tool') throw OpenAiErrors.invalid(`messages[${last.index}].role`, 'the last message must be a user message, or tool results for the tool calls before it');
  // The tool results after the last assistant message answer its calls: they carry the run they continue.
  let first = turns.length - 1;
  while (first > 0 && turns[first - 1].role === 'tool') first--;
  const results = turns.slice(first);
  let runId: string | undefined;
  const toolOutputs = results.map((t) => {
    const parsed = parseClientToolCallId(t.toolCallId ?? '');
    if (!parsed || (runId !== undefined && parsed.runId !== runId)) {
      throw OpenAiErrors.invalid(`messages[${t.index}].tool_call_id`, 'tool_call_id must be the id of a tool call of the assistant message before it, as this API returned it');
    }
    runId = parsed.runId;
    return { toolCallId: parsed.callId, output: t.content };
  });
  return { kind: 'continue', runId: runId as string, toolOutputs };
}

/** The Responses API's `input`: a string, or message items of which exactly one is the user's (system and developer ones join the instructions). */
function parseResponseInput(input: unknown, instructions: string | undefined): { input: string; instructions: string | undefined } {
  if (typeof input === 'string') {
    if (input.trim().length === 0) throw OpenAiErrors.invalid('input', 'input is empty');
    return { input, instructions };
  }
  if (!Array.isArray(input) || input.length === 0) throw OpenAiErrors.invalid('input', 'input must be a string or an array of message items');
  const extra: string[] = [];
  const user: string[] = [];
  input.forEach((item, index) => {
    const m = item as { type?: unknown; role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== 'object' || (m.type !== undefined && m.type !== 'message')) {
      throw OpenAiErrors.unsupported(`input[${index}]`, 'only message items are supported; continue a conversation with previous_response_id');
    }
    const text = textOf(m.content, `input[${index}].content`, ['input_text', 'text']);
    if (m.role === 'system' || m.role === 'developer') extra.push(text);
    else if (m.role === 'user') user.push(text);
    else throw OpenAiErrors.unsupported(`input[${index}].role`, "role must be 'user', 'system' or 'developer'; earlier answers come from previous_response_id");
  });
  if (user.length !== 1) throw OpenAiErrors.unsupported('input', 'give exactly one user message; continue a conversation with previous_response_id');
  const all = [...(instructions !== undefined ? [instructions] : []), ...extra];
  return { input: user[0], instructions: all.length > 0 ? all.join('\n\n') : undefined };
}
