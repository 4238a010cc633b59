import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ExecutionConfig } from '#config';
import {
  AppError,
  ConfigCacheContracts,
  ErrorCode,
  MemoryContracts,
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
  type RunUsage,
  type StepJournal,
} from '../run-engine/run-engine.service.js';
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
import { checkLimits, type Spent } from './run-limits.js';
import { TokenStream } from './token-stream.js';

export { type AgentRunInput, approvalStepKey, type ClientToolCallsAction, type ToolApprovalAction, toolStepKey } from './agent-run.js';
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
    @Inject(MODEL_PROVIDERS_TOKEN) private readonly providers: ModelProviders,
    @Inject(PRICE_TABLE_TOKEN) private readonly prices: PriceTable,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onModuleInit(): void {
    this.engine.register('agent', this);
  }

  async execute({ run, journal, signal }: RunContext): Promise<ExecutorResult> {
    const input = run.input as AgentRunInput;
    const prepared = await this.prepare(run, input, journal);
    const { agent, model, tools, transcript } = prepared;
    const openAiTools = [...tools.values()].map(toOpenAiTool);
    const conversation: RunMessageInput[] = [];
    const spent: Spent = { modelCalls: 0, tokens: 0, costMicros: 0 };
    let lastMessageCount = 0;

    for (let n = 1; ; n++) {
      const key = `llm:${n}`;
      if (!journal.completed(key)) checkLimits(run.limits, spent);
      const newMessages = transcript.slice(lastMessageCount);
      lastMessageCount = transcript.length;
      const reply = await journal.step<ModelStepOutput>(
        { key, name: `${agent.snapshot.modelProvider}/${agent.snapshot.modelName}`, type: 'llm_call', model: agent.snapshot.modelName, input: stepInput(transcript.length, newMessages) },
        () => this.callModel(model, transcript, openAiTools, n, run, agent, journal, signal),
      );
      const usage = journal.completed(key)?.usage;
      spent.modelCalls = n;
      spent.tokens += (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0);
      spent.costMicros += usage?.costMicros ?? 0;
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
        const output: AgentRunOutput = { content: reply.content };
        const citations = citationsOf(transcript, tools);
        if (citations.length > 0) {
          output.citations = citations;
          conversation[conversation.length - 1].metadata = { citations };
        }
        if (run.conversationId) {
          output.messageId = await this.writeAnswer(run, prepared.userMessageId, conversation);
          output.userMessageId = prepared.userMessageId;
        }
        this.engine.forgetProviderKey(run.id);
        return { status: 'completed', output };
      }

      const waiting: RequiredToolCall[] = [];
      const approvals: RequiredToolCall[] = [];
      for (const call of reply.toolCalls) {
        const result = await this.runTool(call, tools, run, journal, signal);
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
        return { status: 'requires_action', action };
      }
      if (waiting.length > 0) {
        const action: ClientToolCallsAction = { type: 'client_tool_calls', toolCalls: waiting };
        return { status: 'requires_action', action };
      }
    }
  }

  /** Everything a run needs before its first model call; redone by every attempt (nothing here calls a model or a tool). */
  private async prepare(run: RunEntity, input: AgentRunInput, journal: StepJournal): Promise<PreparedRun> {
    if (!run.agentId || run.agentVersion === null) throw new RunFailure('INVALID_RUN', 'an agent run without an agent');
    const agent = pinnedAgent(run) ?? (await this.resolveAgent(run.agentId, run.agentVersion));
    if (agent.ownerId !== run.ownerId) throw new RunFailure('AGENT_NOT_FOUND', 'the agent was not found');

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
    if (toolSet.unavailable.length > 0 && !journal.completed('llm:1')) await journal.append('run.warning', { unavailableTools: toolSet.unavailable });
    const tools = new Map(toolSet.tools.map((t) => [t.name, t]));

    const model = await this.createModel(run, input, agent);

    const system = renderSystemPrompt(agent.snapshot.systemPrompt, input.variables);
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
      transcript.push(new HumanMessage(input.message));
    }
    return { agent, model, tools, userMessageId, transcript };
  }

  private async resolveAgent(agentId: string, version: number): Promise<ResolvedAgent> {
    try {
      return await this.bus.request(ConfigCacheContracts.resolve, { agentId, version }, { actor: EXECUTION });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw new RunFailure('AGENT_NOT_FOUND', 'the agent (or the version the run pinned) no longer exists');
      if (err instanceof AppError && err.code === ErrorCode.CONFLICT) throw new RunFailure('AGENT_INACTIVE', err.message);
      throw err;
    }
  }

  private async createModel(run: RunEntity, input: AgentRunInput, agent: ResolvedAgent): Promise<BaseChatModel> {
    const apiKey = input.providerKeySent ? this.engine.providerKeyOf(run.id) : undefined;
    if (input.providerKeySent && apiKey === undefined) {
      throw new RunFailure('PROVIDER_KEY_UNAVAILABLE', 'the API key sent with the request was held only by a worker that stopped; send the request again');
    }
    const configuration = agent.snapshot.configuration;
    try {
      return await this.providers.create({
        provider: agent.snapshot.modelProvider,
        model: agent.snapshot.modelName,
        ...(configuration.temperature !== undefined ? { temperature: configuration.temperature } : {}),
        ...(configuration.maxTokens !== undefined ? { maxTokens: configuration.maxTokens } : {}),
        ...(configuration.topP !== undefined ? { topP: configuration.topP } : {}),
        ...(configuration.stopSequences?.length ? { stop: configuration.stopSequences } : {}),
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
    agent: ResolvedAgent,
    journal: StepJournal,
    signal: AbortSignal,
  ): Promise<{ output: ModelStepOutput; usage?: Partial<RunUsage> }> {
    const tokens = new TokenStream(journal, n);
    let text = '';
    try {
      const stream = streamChat(model, transcript, { ...(tools.length > 0 ? { tools } : {}), signal });
      for await (const delta of stream) {
        if (delta.type === 'text') {
          text += delta.text;
          tokens.push(delta.text);
          journal.reportPartial({ content: text });
        } else if (delta.type === 'done') {
          await tokens.flush();
          const result = delta.result;
          const toolCalls: RequiredToolCall[] = [
            ...result.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.args) })),
            // Arguments that are not JSON still get an answer (an error), so the model can correct itself.
            ...result.invalidToolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.rawArgs })),
          ];
          const usage = result.usage;
          const cost = usage ? this.prices.costOf(agent.snapshot.modelProvider, agent.snapshot.modelName, usage) : { costMicros: 0, priceKnown: false };
          return {
            output: { content: result.text, toolCalls, finishReason: result.finishReason ?? null, model: result.responseModel ?? null, priceKnown: cost.priceKnown },
            usage: usage ? { promptTokens: usage.inputTokens, completionTokens: usage.outputTokens, costMicros: cost.costMicros } : undefined,
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
    tools: Map<string, Tool>,
    run: RunEntity,
    journal: StepJournal,
    signal: AbortSignal,
  ): Promise<string | typeof WAIT_FOR_CLIENT | typeof WAIT_FOR_APPROVAL> {
    const key = toolStepKey(call.id);
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
            return { output: { result: await tool.execute(args, { ownerId: run.ownerId, runId: run.id, signal, callId: call.id }) } };
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
function failFor(code: string): (err: unknown) => never {
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
