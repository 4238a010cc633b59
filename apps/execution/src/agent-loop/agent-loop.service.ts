import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ExecutionConfig } from '#config';
import {
  AppError,
  ErrorCode,
  MemoryContracts,
  type ModelProvider,
  type MemoryMode,
  type ResolvedAgent,
  type RunMessageInput,
  RunWriteContracts,
  serviceActor,
} from '#contracts';
import { ModelConfigurationError, ModelProviderError, type ModelProviders, type PriceTable, streamChat } from '#llm';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import {
  type ExecutorResult,
  LeaseLostError,
  type RunContext,
  type RunEntity,
  RunEngineService,
  type RunExecutor,
  RunFailure,
  RunStages,
  type RunUsage,
  type StepFinish,
  type StepJournal,
} from '../run-engine/run-engine.service.js';
import { ResolvedAgentsService } from '../resolved-agents/resolved-agents.service.js';
import { type Tool, type ToolCitation, ToolInputError, ToolsService, toOpenAiTool, validateArgs } from '../tools/tools.service.js';
import {
  type AgentRunInput,
  type AgentRunOutput,
  approvalStepKey,
  type ClientToolCallsAction,
  type RequiredToolCall,
  type ToolApprovalAction,
  type ToolApprovalOutput,
  type ToolStepOutput,
  toolStepKey,
} from './agent-run.js';
import { parseArguments, renderSystemPrompt, toChatMessages } from './history.js';
import { MODEL_PROVIDERS_TOKEN, PRICE_TABLE_TOKEN } from './model-tokens.js';
import { GenAiTelemetry } from './gen-ai-telemetry.js';
import { checkLimits, type Spent } from './run-limits.js';
import { TokenStream } from './token-stream.js';

export { type AgentRunInput, approvalStepKey, type ClientToolCallsAction, type ToolApprovalAction, toolStepKey } from './agent-run.js';
export type { Spent } from './run-limits.js';

/** A provider's model with the settings a call uses (an agent's configuration, a workflow's llm node). */
export interface ModelChoice {
  provider: ModelProvider;
  model: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
}
export { MODEL_PROVIDERS_TOKEN } from './model-tokens.js';

const EXECUTION = serviceActor('execution');
/** Characters of each new message kept in a model step's input: enough to debug, not a copy of the history. */
const STEP_INPUT_PREVIEW = 4000;

/** What a model call step stores as its output, and what a resumed attempt rebuilds the reply from. */
interface ModelStepOutput {
  content: string;
  toolCalls: RequiredToolCall[];
  finishReason: string | null;
  model: string | null;
  priceKnown: boolean;
}

interface PreparedRun {
  agent: ResolvedAgent;
  model: BaseChatModel;
  tools: Map<string, Tool>;
  userMessageId: string | undefined;
  transcript: BaseMessage[];
}

/**
 * The agent loop: model -> tool calls -> tool results -> model, until an answer, a client-side
 * tool, or a limit. Every model call (`llm:<n>`) and tool call (`tool:<call id>`) is a journal
 * step, so an attempt that takes over after a crash replays the completed ones from the journal
 * and only calls what never finished. Writes to the conversation are idempotent on (run, step).
 */
@Injectable()
export class AgentLoopService implements RunExecutor, OnModuleInit {
  constructor(
    private readonly engine: RunEngineService,
    private readonly tools: ToolsService,
    private readonly stages: RunStages,
    private readonly agents: ResolvedAgentsService,
    @Inject(MODEL_PROVIDERS_TOKEN) private readonly providers: ModelProviders,
    @Inject(PRICE_TABLE_TOKEN) private readonly prices: PriceTable,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onModuleInit(): void {
    this.engine.register('agent', this);
  }

  async execute(context: RunContext): Promise<ExecutorResult> {
    const { run } = context;
    const input = run.input as AgentRunInput;
    const prepared = await this.prepare(run, input, context.journal);
    this.stages.mark(run.id, 'prepared');
    const ended = await this.loop(context, prepared, { keyPrefix: '', spent: { modelCalls: 0, tokens: 0, costMicros: 0 } });
    this.stages.mark(run.id, 'loop.done');
    if (ended.kind === 'waiting') return { status: 'requires_action', action: ended.action };
    const output: AgentRunOutput = { content: ended.content };
    if (ended.citations.length > 0) output.citations = ended.citations;
    if (run.conversationId) {
      output.messageId = await this.writeAnswer(run, prepared.userMessageId, ended.messages);
      output.userMessageId = prepared.userMessageId;
    }
    this.engine.forgetProviderKey(run.id);
    return { status: 'completed', output };
  }

  /**
   * An agent answering one message as part of another run (a workflow's agent node): its model and
   * tool calls are that run's steps under `keyPrefix`, and what they spend counts against `spent`,
   * so the run's limits hold across the whole run. No conversation and no client tools.
   */
  async answer(context: RunContext, request: { agentId: string; version?: number; message: string; keyPrefix: string; spent: Spent }): Promise<string> {
    const { run, journal } = context;
    const agent = await this.resolveAgent(request.agentId, request.version, run.ownerId);
    const { model, tools } = await this.equip(run, agent, {}, journal, request.keyPrefix);
    const system = renderSystemPrompt(agent.snapshot.systemPrompt);
    const transcript: BaseMessage[] = [...(system.trim().length > 0 ? [new SystemMessage(system)] : []), new HumanMessage(request.message)];
    const ended = await this.loop(context, { agent, model, tools, userMessageId: undefined, transcript }, { keyPrefix: request.keyPrefix, spent: request.spent });
    if (ended.kind === 'waiting') throw new RunFailure('INVALID_TOOLS', 'an agent inside a workflow cannot wait for client tools or tool approvals');
    return ended.content;
  }

  /**
   * One model call of another run (a workflow's llm node) as its step `key`, with the providers,
   * keys and prices agents use; counted against `spent` and checked against the run's limits first.
   */
  async prompt(context: RunContext, request: { key: string; model: ModelChoice; system?: string; prompt: string; spent: Spent }): Promise<string> {
    const { run, journal, signal } = context;
    if (!journal.completed(request.key)) checkLimits(run.limits, request.spent);
    const transcript: BaseMessage[] = [...(request.system ? [new SystemMessage(request.system)] : []), new HumanMessage(request.prompt)];
    const reply = await journal.step<ModelStepOutput>(
      { key: request.key, name: `${request.model.provider}/${request.model.model}`, type: 'llm_call', model: request.model.model, input: stepInput(transcript.length, transcript) },
      async (startFailed) => this.callModel(await this.createModel(run, false, request.model), transcript, [], 1, run, request.model, journal, AbortSignal.any([signal, startFailed])),
    );
    countSpent(request.spent, journal.completed(request.key)?.usage);
    return reply.content;
  }

  /** Model -> tools -> model until an answer or client tools to wait for; every call a step under `keyPrefix`. */
  private async loop(
    { run, journal, signal }: RunContext,
    prepared: PreparedRun,
    { keyPrefix, spent }: { keyPrefix: string; spent: Spent },
  ): Promise<{ kind: 'answer'; content: string; messages: RunMessageInput[]; citations: ToolCitation[] } | { kind: 'waiting'; action: ClientToolCallsAction | ToolApprovalAction }> {
    const { agent, model, tools, transcript } = prepared;
    const openAiTools = [...tools.values()].map(toOpenAiTool);
    const conversation: RunMessageInput[] = [];
    let lastMessageCount = 0;

    for (let n = 1; ; n++) {
      const key = `${keyPrefix}llm:${n}`;
      if (!journal.completed(key)) checkLimits(run.limits, spent);
      const newMessages = transcript.slice(lastMessageCount);
      lastMessageCount = transcript.length;
      const reply = await journal.step<ModelStepOutput>(
        { key, name: `${agent.snapshot.modelProvider}/${agent.snapshot.modelName}`, type: 'llm_call', model: agent.snapshot.modelName, input: stepInput(transcript.length, newMessages) },
        (startFailed) => this.callModel(model, transcript, openAiTools, n, run, modelOf(agent), journal, AbortSignal.any([signal, startFailed])),
      );
      const usage = journal.completed(key)?.usage;
      countSpent(spent, usage);
      transcript.push(
        new AIMessage({ content: reply.content, tool_calls: reply.toolCalls.map((c) => ({ id: c.id, name: c.name, args: parseArguments(c.arguments), type: 'tool_call' as const })) }),
      );
      conversation.push({
        step: conversation.length + 1,
        role: 'assistant',
        content: reply.content,
        ...(reply.toolCalls.length > 0 ? { toolCalls: reply.toolCalls } : {}),
        model: reply.model ?? agent.snapshot.modelName,
        ...(usage ? { tokenUsage: { prompt: usage.promptTokens, completion: usage.completionTokens, total: usage.promptTokens + usage.completionTokens } } : {}),
        ...(usage ? { costMicros: usage.costMicros } : {}),
      });

      if (reply.toolCalls.length === 0) {
        const citations = citationsOf(transcript, tools);
        if (citations.length > 0) conversation[conversation.length - 1].metadata = { citations };
        return { kind: 'answer', content: reply.content, messages: conversation, citations };
      }

      const waiting: RequiredToolCall[] = [];
      const approvals: RequiredToolCall[] = [];
      for (const call of reply.toolCalls) {
        const result = await this.runTool(call, keyPrefix, tools, run, journal, signal);
        if (result === WAIT_FOR_CLIENT) {
          waiting.push(call);
          continue;
        }
        if (result === WAIT_FOR_APPROVAL) {
          approvals.push(call);
          continue;
        }
        transcript.push(new ToolMessage({ tool_call_id: call.id, content: result }));
        conversation.push({ step: conversation.length + 1, role: 'tool', content: result, toolCallId: call.id });
      }
      // Approvals first: the client's tools are asked for once the person has decided.
      if (approvals.length > 0) {
        const action: ToolApprovalAction = { type: 'tool_approval', toolCalls: approvals };
        return { kind: 'waiting', action };
      }
      if (waiting.length > 0) return { kind: 'waiting', action: { type: 'client_tool_calls', toolCalls: waiting } };
    }
  }

  /** Everything a run needs before its first model call; redone by every attempt (nothing here calls a model or a tool). */
  private async prepare(run: RunEntity, input: AgentRunInput, journal: StepJournal): Promise<PreparedRun> {
    if (!run.agentId || run.agentVersion === null) throw new RunFailure('INVALID_RUN', 'an agent run without an agent');
    const agent = pinnedAgent(run) ?? (await this.resolveAgent(run.agentId, run.agentVersion, run.ownerId));
    const { model, tools } = await this.equip(run, agent, input, journal, '');

    const system = withInstructions(renderSystemPrompt(agent.snapshot.systemPrompt, input.variables), input.instructions);
    const transcript: BaseMessage[] = system.trim().length > 0 ? [new SystemMessage(system)] : [];
    let userMessageId: string | undefined;
    if (run.conversationId) {
      const userMessage = await this.bus
        .request(
          RunWriteContracts.appendUserMessage,
          { ownerId: run.ownerId, conversationId: run.conversationId, runId: run.id, step: 0, content: input.message, ...(input.parentId !== undefined ? { parentId: input.parentId } : {}) },
          { actor: EXECUTION },
        )
        .catch(failFor('CONVERSATION_REFUSED'));
      userMessageId = userMessage.id;
      transcript.push(...(await this.history(run, agent, userMessage.id, input.message)));
    } else {
      // A standalone run's history is the caller's (the OpenAI-compatible face sends it whole each time).
      if (input.history) transcript.push(...toChatMessages(input.history.map((m) => ({ id: '', role: m.role, content: m.content, toolCalls: m.toolCalls ?? null, toolCallId: m.toolCallId ?? null }))));
      transcript.push(new HumanMessage(input.message));
    }
    return { agent, model, tools, userMessageId, transcript };
  }

  /** The agent's tools (and the caller's client tools) and its model; a tool that cannot be had is announced once, before the first model call. */
  private async equip(
    run: RunEntity,
    agent: ResolvedAgent,
    input: Pick<AgentRunInput, 'clientTools' | 'providerKeySent' | 'modelSettings'>,
    journal: StepJournal,
    keyPrefix: string,
  ): Promise<{ model: BaseChatModel; tools: Map<string, Tool> }> {
    let toolSet;
    try {
      toolSet = await this.tools.forAgent(
        { ownerId: run.ownerId, runId: run.id, agentId: agent.agentId, refs: agent.snapshot.tools, knowledgeBaseIds: agent.snapshot.knowledgeBaseIds ?? [] },
        (input.clientTools ?? []).map((t) => ({ name: t.name, description: t.description, parameters: t.parameters ?? { type: 'object', properties: {} } })),
      );
    } catch (err) {
      if (err instanceof ToolInputError) throw new RunFailure('INVALID_TOOLS', err.message);
      throw err;
    }
    this.stages.mark(run.id, 'equip.tools');
    if (toolSet.unavailable.length > 0 && !journal.completed(`${keyPrefix}llm:1`)) await journal.append('run.warning', { unavailableTools: toolSet.unavailable });
    const tools = new Map(toolSet.tools.map((t) => [t.name, t]));
    const model = await this.createModel(run, input.providerKeySent === true, withSettings(modelOf(agent), input.modelSettings));
    this.stages.mark(run.id, 'equip.model');
    return { model, tools };
  }

  /** The pinned version of one of the owner's agents; another owner's is not found. */
  private async resolveAgent(agentId: string, version: number | undefined, ownerId: string): Promise<ResolvedAgent> {
    let agent: ResolvedAgent;
    try {
      agent = await this.agents.resolve(EXECUTION, agentId, version);
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw new RunFailure('AGENT_NOT_FOUND', 'the agent (or the version the run pinned) no longer exists');
      if (err instanceof AppError && err.code === ErrorCode.CONFLICT) throw new RunFailure('AGENT_INACTIVE', err.message);
      throw err;
    }
    if (agent.ownerId !== ownerId) throw new RunFailure('AGENT_NOT_FOUND', 'the agent was not found');
    return agent;
  }

  private async createModel(run: RunEntity, providerKeySent: boolean, choice: ModelChoice): Promise<BaseChatModel> {
    const apiKey = providerKeySent ? this.engine.providerKeyOf(run.id) : undefined;
    if (providerKeySent && apiKey === undefined) {
      throw new RunFailure('PROVIDER_KEY_UNAVAILABLE', 'the API key sent with the request was held only by a worker that stopped; send the request again');
    }
    try {
      return await this.providers.create({
        provider: choice.provider,
        model: choice.model,
        ...(choice.temperature !== undefined ? { temperature: choice.temperature } : {}),
        ...(choice.maxTokens !== undefined ? { maxTokens: choice.maxTokens } : {}),
        ...(choice.topP !== undefined ? { topP: choice.topP } : {}),
        ...(choice.stop?.length ? { stop: choice.stop } : {}),
        timeoutMs: this.config.modelTimeoutMs,
        maxRetries: this.config.modelMaxRetries,
        ...(apiKey !== undefined ? { apiKey } : { userId: run.ownerId }),
      });
    } catch (err) {
      if (err instanceof ModelConfigurationError) throw new RunFailure('MODEL_NOT_CONFIGURED', err.message);
      throw err;
    }
  }

  /** The conversation's branch up to and including the user message, within the agent's memory setting. */
  private async history(run: RunEntity, agent: ResolvedAgent, leafId: string, message: string): Promise<BaseMessage[]> {
    const memory = agent.snapshot.memory;
    if (memory.strategy === 'none') return [new HumanMessage(message)];
    const mode: MemoryMode = memory.strategy === 'summary' ? 'summary' : 'window';
    const request = { ownerId: run.ownerId, conversationId: run.conversationId as string, leafId, mode, ...(memory.size ? { maxMessages: memory.size } : {}), maxTokens: this.config.historyMaxTokens };
    const reply = await this.bus.request(MemoryContracts.get, request, { actor: EXECUTION }).catch(failFor('CONVERSATION_REFUSED'));
    const messages = toChatMessages(reply.messages);
    if (reply.summary) messages.unshift(new SystemMessage(`Summary of the earlier conversation:\n${reply.summary}`));
    return messages;
  }

  private async callModel(
    model: BaseChatModel,
    transcript: BaseMessage[],
    tools: ReturnType<typeof toOpenAiTool>[],
    n: number,
    run: RunEntity,
    choice: ModelChoice,
    journal: StepJournal,
    signal: AbortSignal,
  ): Promise<{ output: ModelStepOutput } & Omit<StepFinish, 'output'>> {
    // GenAI semantic conventions: a `chat {model}` span with its usage, and the model call counted on /metrics.
    return GenAiTelemetry.chat(choice, transcript, async () => {
      this.stages.mark(run.id, 'model.called');
      const tokens = new TokenStream(journal, n, { firstStored: () => this.stages.mark(run.id, 'token.stored') });
      let text = '';
      try {
        const stream = streamChat(model, transcript, { ...(tools.length > 0 ? { tools } : {}), signal });
        for await (const delta of stream) {
          if (delta.type === 'text') {
            if (text.length === 0) this.stages.mark(run.id, 'model.first.token');
            text += delta.text;
            tokens.push(delta.text);
            journal.reportPartial({ content: text });
          } else if (delta.type === 'done') {
            this.stages.mark(run.id, 'model.done');
            // The last tokens are stored by the step's end, in its statement.
            const rest = await tokens.rest();
            const result = delta.result;
            const toolCalls: RequiredToolCall[] = [
              ...result.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.args) })),
              // Arguments that are not JSON still get an answer (an error), so the model can correct itself.
              ...result.invalidToolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.rawArgs })),
            ];
            const usage = result.usage;
            const cost = usage ? this.prices.costOf(choice.provider, choice.model, usage) : { costMicros: 0, priceKnown: false };
            return {
              output: { content: result.text, toolCalls, finishReason: result.finishReason ?? null, model: result.responseModel ?? null, priceKnown: cost.priceKnown },
              usage: usage ? { promptTokens: usage.inputTokens, completionTokens: usage.outputTokens, costMicros: cost.costMicros } : undefined,
              ...(rest.length > 0 ? { pending: { type: 'token', data: { step: n, text: rest } } } : {}),
            };
          }
        }
        throw new Error('the model stream ended without a result');
      } catch (err) {
        await tokens.flush().catch(() => undefined);
        if (err instanceof ModelProviderError && err.kind !== 'aborted') {
          // The provider's own retries are spent: the run fails with what the provider said, summarised.
          throw new RunFailure('PROVIDER_ERROR', `${err.provider} ${err.kind.replace('_', ' ')} error: ${err.message}`, { kind: err.kind });
        }
        if (err instanceof ModelConfigurationError) throw new RunFailure('MODEL_NOT_CONFIGURED', err.message);
        if (signal.aborted) throw new LeaseLostError(run.id, run.attempt);
        throw err;
      }
    });
  }

  /**
   * One tool call: the result text for the model, or what it waits for (a client-side tool's
   * result, a person's approval). Bad arguments and unknown tools are answered to the model (it may
   * correct itself); a tool that fails fails the run, with the error on the step. A call an earlier
   * attempt started and never finished is sent again only if the tool is idempotent; otherwise its
   * step ends TOOL_OUTCOME_UNKNOWN and the model is told, so nothing is done twice.
   */
  private async runTool(
    call: RequiredToolCall,
    keyPrefix: string,
    tools: Map<string, Tool>,
    run: RunEntity,
    journal: StepJournal,
    signal: AbortSignal,
  ): Promise<string | typeof WAIT_FOR_CLIENT | typeof WAIT_FOR_APPROVAL> {
    const key = `${keyPrefix}${toolStepKey(call.id)}`;
    const earlier = journal.completed(key);
    if (earlier) return (earlier.output as ToolStepOutput).result;
    const tool = tools.get(call.name);
    if (tool?.location === 'client') return WAIT_FOR_CLIENT;
    let decision: ToolApprovalOutput | undefined;
    if (tool?.requireApproval) {
      decision = journal.completed(approvalStepKey(call.id))?.output as ToolApprovalOutput | undefined;
      if (!decision) return WAIT_FOR_APPROVAL;
    }
    try {
      const output = await journal.step<ToolStepOutput & { isError?: boolean; approved?: boolean }>(
        { key, name: call.name, type: 'tool', input: { arguments: call.arguments } },
        async () => {
          if (!tool) return { output: { result: `Error: there is no tool named "${call.name}"`, isError: true } };
          if (decision && !decision.approved) {
            const why = decision.reason ? `: ${decision.reason}` : '';
            return { output: { result: `The call was denied by a person${why}. The tool did not run.`, isError: true, approved: false } };
          }
          if (journal.startedBefore(key) && !tool.idempotent) {
            const message = `the worker running this call stopped before it finished; ${call.name} is not idempotent, so it was not sent again and whether it took effect is unknown`;
            return { output: { result: `Error: TOOL_OUTCOME_UNKNOWN: ${message}. Check before calling it again.`, isError: true }, error: { code: 'TOOL_OUTCOME_UNKNOWN', message } };
          }
          const args = argumentsOf(call.arguments);
          if (typeof args === 'string') return { output: { result: `Error: ${args}`, isError: true } };
          try {
            validateArgs(tool, args);
            const result = await GenAiTelemetry.tool(call, () => tool.execute(args, { ownerId: run.ownerId, runId: run.id, signal, callId: call.id }));
            return { output: { result } };
          } catch (err) {
            if (err instanceof ToolInputError) return { output: { result: `Error: ${err.message}`, isError: true } };
            throw err;
          }
        },
      );
      return output.result;
    } catch (err) {
      if (err instanceof LeaseLostError || signal.aborted) throw err;
      throw new RunFailure('TOOL_FAILED', `the tool ${call.name} failed: ${err instanceof Error ? err.message : String(err)}`, { tool: call.name });
    }
  }

  /** Writes the run's messages after the user message; idempotent on (run, step), so a retried attempt writes nothing twice. */
  private async writeAnswer(run: RunEntity, userMessageId: string | undefined, messages: RunMessageInput[]): Promise<string | undefined> {
    try {
      const reply = await this.bus.request(
        RunWriteContracts.appendMessages,
        { ownerId: run.ownerId, conversationId: run.conversationId as string, runId: run.id, ...(userMessageId ? { parentId: userMessageId } : {}), messages },
        { actor: EXECUTION },
      );
      return reply.items.at(-1)?.id;
    } catch (err) {
      // Deleted while the run worked: the answer is still the run's output, with nowhere to be written.
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return undefined;
      throw err;
    }
  }
}

/** The model an agent's configuration names, with its settings. */
function modelOf(agent: ResolvedAgent): ModelChoice {
  const configuration = agent.snapshot.configuration;
  return {
    provider: agent.snapshot.modelProvider,
    model: agent.snapshot.modelName,
    temperature: configuration.temperature,
    maxTokens: configuration.maxTokens,
    topP: configuration.topP,
    stop: configuration.stopSequences,
  };
}

/** The caller's temperature replaces the agent's; the caller's reply length is capped by the agent's. */
function withSettings(choice: ModelChoice, settings: AgentRunInput['modelSettings']): ModelChoice {
  if (!settings) return choice;
  const maxTokens = [choice.maxTokens, settings.maxTokens].filter((v): v is number => v !== undefined);
  return {
    ...choice,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(maxTokens.length > 0 ? { maxTokens: Math.min(...maxTokens) } : {}),
  };
}

/** The agent's system prompt, then the caller's own instructions. */
function withInstructions(system: string, instructions: string | undefined): string {
  if (instructions === undefined || instructions.trim().length === 0) return system;
  return system.trim().length > 0 ? `${system}\n\n${instructions}` : instructions;
}

/** Adds a completed model call's usage to what the run has spent. */
function countSpent(spent: Spent, usage: RunUsage | undefined): void {
  spent.modelCalls += 1;
  spent.tokens += (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0);
  spent.costMicros += usage?.costMicros ?? 0;
}

/** The agent version the run was queued with, when the run carries it (runs queued by the start request do). */
function pinnedAgent(run: RunEntity): ResolvedAgent | undefined {
  const snapshot = run.agentSnapshot as ResolvedAgent | null;
  return snapshot && snapshot.agentId === run.agentId && snapshot.version === run.agentVersion ? snapshot : undefined;
}

const WAIT_FOR_CLIENT = Symbol('client tool');
const WAIT_FOR_APPROVAL = Symbol('approval');

/** Codes another service answers for a request that will never succeed: the run fails now instead of retrying. */
const PERMANENT: ReadonlySet<string> = new Set([ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN]);

/** A catch handler: a permanent refusal becomes a RunFailure with `code` and the service's message; anything else (outages) is retried. */
export function failFor(code: string): (err: unknown) => never {
  return (err: unknown) => {
    if (err instanceof AppError && PERMANENT.has(err.code)) throw new RunFailure(code, err.message);
    throw err;
  };
}

/** What the run's tool results cite, one entry per chunk (its best score), best first. */
function citationsOf(transcript: BaseMessage[], tools: Map<string, Tool>): ToolCitation[] {
  const toolOfCall = new Map<string, Tool>();
  for (const message of transcript) {
    if (message instanceof AIMessage) for (const call of message.tool_calls ?? []) if (call.id && tools.get(call.name)?.citations) toolOfCall.set(call.id, tools.get(call.name) as Tool);
  }
  const best = new Map<string, ToolCitation>();
  for (const message of transcript) {
    if (!(message instanceof ToolMessage) || typeof message.content !== 'string') continue;
    for (const citation of toolOfCall.get(message.tool_call_id)?.citations?.(message.content) ?? []) {
      const known = best.get(citation.chunkId);
      if (!known || known.score < citation.score) best.set(citation.chunkId, citation);
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score);
}

function argumentsOf(text: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text.length === 0 ? '{}' : text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return 'the arguments must be a JSON object';
  } catch {
    return 'the arguments are not valid JSON';
  }
}

function stepInput(messageCount: number, newMessages: BaseMessage[]): unknown {
  return {
    messageCount,
    newMessages: newMessages.map((m) => ({
      role: m.getType(),
      content: typeof m.content === 'string' ? m.content.slice(0, STEP_INPUT_PREVIEW) : '[structured content]',
    })),
  };
}
