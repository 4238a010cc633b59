import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  AppError,
  ErrorCode,
  KnowledgeSearchContracts,
  type ModelProvider,
  type ResolvedWorkflow,
  RunWriteContracts,
  type RunTriggerKind,
  type StepType,
  serviceActor,
  type WorkflowDefinition,
  type WorkflowNode,
  WorkflowResolveContracts,
} from '#contracts';
import { evaluate, ExpressionEvaluationError, ExpressionSyntaxError, parseExpression, parseTemplate, renderTemplate, renderText, type Scope, truthy } from '#expressions';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { AgentLoopService, failFor, type Spent } from '../agent-loop/agent-loop.service.js';
import {
  type ExecutorResult,
  LeaseLostError,
  type RunContext,
  type RunEntity,
  RunEngineService,
  type RunExecutor,
  RunFailure,
} from '../run-engine/run-engine.service.js';
import { type Tool, ToolInputError, ToolsService, validateArgs } from '../tools/tools.service.js';
import { type NodeVisit, WorkflowWalk } from './workflow-walk.js';

const EXECUTION = serviceActor('execution');
/** How long a knowledge node waits for the knowledge search to answer. */
const KNOWLEDGE_TIMEOUT_MS = 5000;

/** What a workflow run stores as its input (written by the run API, read here): its inputs checked and completed with defaults, and what started it when not its owner. */
export interface WorkflowRunInput {
  inputs: Record<string, unknown>;
  trigger?: { kind: RunTriggerKind; id: string };
  /** In a conversation: the user message the run answers (it filled the first text input), and the message it answers. */
  message?: string;
  parentId?: string | null;
}

/** runs.output of a workflow run in a conversation: the answer written there, and the outputs it came from. */
export interface ConversationWorkflowOutput {
  content: string;
  outputs: Record<string, unknown>;
  messageId?: string;
  userMessageId?: string;
}

/** runs.required_action of a workflow run parked at a human node. */
export interface HumanInputAction {
  type: 'human_input';
  nodeId: string;
  prompt: string;
  schema: Record<string, unknown>;
  /** The journal key the answer is stored under (the node's step). */
  stepKey: string;
}

/** What one node execution did: the output the scope keeps, and its effects on the run. */
interface NodeResult {
  output: unknown;
  /** State variables written (transform nodes; the `output` variable of the others is written from `output`). */
  set?: Record<string, unknown>;
  /** A condition's chosen branch ('default' when none held). */
  branch?: string;
  /** The workflow outputs an output node set. */
  outputs?: Record<string, unknown>;
}

type Settled = { visit: NodeVisit; result: NodeResult } | { visit: NodeVisit; parked: HumanInputAction } | { visit: NodeVisit; error: unknown };

interface WalkState {
  scope: { inputs: Record<string, unknown>; state: Record<string, unknown>; nodes: Record<string, { output: unknown }> };
  outputs: Record<string, unknown>;
  spent: Spent;
}

/** The journal key of one node execution; a human node's answer is stored under it on resume. */
export function nodeStepKey(nodeId: string, visit: number): string {
  return `node:${nodeId}:${visit}`;
}

const STEP_TYPE_OF: Partial<Record<WorkflowNode['type'], StepType>> = { human: 'human_input', knowledge: 'retrieval' };

/**
 * The workflow executor: walks the run's pinned graph, every node execution a journal step
 * (`node:<id>:<visit>`) whose stored output replays on a later attempt, so a run taken over after a
 * crash continues from its last completed node and calls no completed model or tool again. Ready
 * nodes run side by side; a human node parks the run until its answer is stored as its step.
 */
@Injectable()
export class WorkflowRunsService implements RunExecutor, OnModuleInit {
  constructor(
    private readonly engine: RunEngineService,
    private readonly agents: AgentLoopService,
    private readonly tools: ToolsService,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
  ) {}

  onModuleInit(): void {
    this.engine.register('workflow', this);
  }

  async execute(context: RunContext): Promise<ExecutorResult> {
    const { run } = context;
    const workflow = await this.pinnedWorkflow(run);
    const input = run.input as WorkflowRunInput;
    const walk = new WorkflowWalk(workflow.definition);
    const state: WalkState = {
      scope: { inputs: input.inputs ?? {}, state: initialState(workflow.definition), nodes: {} },
      outputs: {},
      spent: { modelCalls: 0, tokens: 0, costMicros: 0 },
    };
    const userMessageId = run.conversationId ? await this.writeUserMessage(run, input) : undefined;
    const running = new Map<string, Promise<Settled>>();
    const parked: HumanInputAction[] = [];

    for (;;) {
      for (const visit of walk.takeReady()) {
        const key = nodeStepKey(visit.node.id, visit.visit);
        running.set(
          key,
          this.runNode(context, visit, state).then(
            (outcome): Settled => ('parked' in outcome ? { visit, parked: outcome.parked } : { visit, result: outcome.result }),
            (error: unknown): Settled => ({ visit, error }),
          ),
        );
      }
      if (running.size === 0) {
        if (walk.releaseJoins()) continue;
        break;
      }
      const settled = await Promise.race(running.values());
      running.delete(nodeStepKey(settled.visit.node.id, settled.visit.visit));
      if ('error' in settled) throw settled.error;
      if ('parked' in settled) {
        parked.push(settled.parked);
        continue;
      }
      apply(state, settled.visit.node, settled.result);
      walk.complete(settled.visit.node.id, settled.result.branch);
    }
    if (parked.length > 0) return { status: 'requires_action', action: parked[0] };
    if (!run.conversationId) return { status: 'completed', output: state.outputs };
    const content = answerOf(state.outputs);
    const messageId = await this.writeAnswer(run, userMessageId, content);
    return { status: 'completed', output: { content, outputs: state.outputs, messageId, userMessageId } satisfies ConversationWorkflowOutput };
  }

  /** The run's message in its conversation; idempotent on (run, step), so every attempt may ask. */
  private async writeUserMessage(run: RunEntity, input: WorkflowRunInput): Promise<string> {
    const request = {
      ownerId: run.ownerId,
      conversationId: run.conversationId!,
      runId: run.id,
      step: 0,
      content: input.message ?? '',
      ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
    };
    return (await this.bus.request(RunWriteContracts.appendUserMessage, request, { actor: EXECUTION }).catch(failFor('CONVERSATION_REFUSED'))).id;
  }

  /** The workflow's answer as the assistant message after the user message; undefined when the conversation is gone. */
  private async writeAnswer(run: RunEntity, userMessageId: string | undefined, content: string): Promise<string | undefined> {
    try {
      const reply = await this.bus.request(
        RunWriteContracts.appendMessages,
        { ownerId: run.ownerId, conversationId: run.conversationId!, runId: run.id, ...(userMessageId ? { parentId: userMessageId } : {}), messages: [{ step: 1, role: 'assistant', content }] },
        { actor: EXECUTION },
      );
      return reply.items.at(-1)?.id;
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return undefined;
      throw err;
    }
  }

  /** One node execution: replayed from the journal when it completed before, else run as a step between node events. */
  private async runNode(context: RunContext, { node, visit }: NodeVisit, state: WalkState): Promise<{ result: NodeResult } | { parked: HumanInputAction }> {
    const { journal, signal } = context;
    const key = nodeStepKey(node.id, visit);
    const earlier = journal.completed(key);
    if (node.type === 'human') {
      // The answer is stored as the node's step by the resume: until then the node waits.
      if (earlier) return { result: humanResult(earlier.output) };
      const config = node.config ?? {};
      const prompt = renderText(template(node, 'promptTemplate', config.promptTemplate), state.scope);
      await journal.append('node.started', { nodeId: node.id, type: node.type, visit });
      return { parked: { type: 'human_input', nodeId: node.id, prompt, schema: (config.schema as Record<string, unknown>) ?? { type: 'object' }, stepKey: key } };
    }
    if (earlier) return { result: earlier.output as NodeResult };
    await journal.append('node.started', { nodeId: node.id, type: node.type, visit });
    try {
      const result = await journal.step<NodeResult>({ key, name: node.name ?? node.id, type: STEP_TYPE_OF[node.type] ?? 'decision', input: { nodeId: node.id, type: node.type, visit } }, async () => ({
        output: await this.perform(context, node, key, state),
      }));
      await journal.append('node.completed', { nodeId: node.id, type: node.type, visit, output: result.output });
      return { result };
    } catch (err) {
      if (!(err instanceof LeaseLostError) && !signal.aborted) {
        const error = err instanceof RunFailure ? err.info() : { code: 'NODE_FAILED', message: err instanceof Error ? err.message : String(err) };
        await journal.append('node.failed', { nodeId: node.id, type: node.type, visit, error }).catch(() => undefined);
      }
      throw err;
    }
  }

  /** What a node does, by type. Expressions and templates read the scope; none is ever given to eval. */
  private async perform(context: RunContext, node: WorkflowNode, key: string, state: WalkState): Promise<NodeResult> {
    const config = node.config ?? {};
    const scope = state.scope;
    switch (node.type) {
      case 'start':
        return { output: scope.inputs };
      case 'output': {
        const outputs = mapValues(node, 'values', config.values, (field, source) => expression(node, `values.${field}`, source, scope));
        return { output: outputs, outputs };
      }
      case 'transform': {
        const set = mapValues(node, 'set', config.set, (field, source) => expression(node, `set.${field}`, source, scope));
        return { output: set, set };
      }
      case 'condition': {
        const branches = Array.isArray(config.branches) ? (config.branches as Array<{ name: string; when: string }>) : [];
        const chosen = branches.find((b, i) => truthy(expression(node, `branches[${i}].when`, b.when, scope)));
        const branch = chosen?.name ?? 'default';
        return { output: branch, branch };
      }
      case 'agent': {
        const message = renderText(template(node, 'inputTemplate', config.inputTemplate), scope);
        if (typeof config.agentId !== 'string') throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: config.agentId is required`);
        const version = typeof config.version === 'number' ? config.version : undefined;
        const answer = await this.agents.answer(context, { agentId: config.agentId, version, message, keyPrefix: `${key}/`, spent: state.spent });
        return { output: answer };
      }
      case 'llm':
        return { output: await this.llm(context, node, key, state) };
      case 'tool':
        return { output: await this.tool(context, node, key, scope) };
      case 'knowledge':
        return { output: await this.knowledge(context.run, node, scope) };
      default:
        throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: unknown node type "${String(node.type)}"`);
    }
  }

  private async llm(context: RunContext, node: WorkflowNode, key: string, state: WalkState): Promise<unknown> {
    const config = node.config ?? {};
    const system = config.systemTemplate !== undefined ? renderText(template(node, 'systemTemplate', config.systemTemplate), state.scope) : undefined;
    const prompt = renderText(template(node, 'promptTemplate', config.promptTemplate), state.scope);
    if (typeof config.provider !== 'string' || typeof config.model !== 'string') throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: config.provider and config.model are required`);
    const text = await this.agents.prompt(context, {
      key: `${key}/llm`,
      model: {
        provider: config.provider as ModelProvider,
        model: config.model,
        ...(typeof config.temperature === 'number' ? { temperature: config.temperature } : {}),
        ...(typeof config.maxTokens === 'number' ? { maxTokens: config.maxTokens } : {}),
      },
      ...(system !== undefined ? { system } : {}),
      prompt,
      spent: state.spent,
    });
    if (config.json !== true) return text;
    try {
      return JSON.parse(text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '')) as unknown;
    } catch {
      throw new RunFailure('INVALID_JSON', `node ${node.id}: the model's answer is not JSON`, { nodeId: node.id });
    }
  }

  private async tool(context: RunContext, node: WorkflowNode, key: string, scope: Scope): Promise<string> {
    const { run, journal, signal } = context;
    const config = node.config ?? {};
    const ref = config.tool as { kind?: string; name?: string; refId?: string; provider?: string } | undefined;
    if (!ref || typeof ref.name !== 'string') throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: config.tool names no tool`);
    const tool = await this.findTool(run, node, { kind: ref.kind ?? 'builtin', name: ref.name, refId: ref.refId, provider: ref.provider });
    const args = mapValues(node, 'arguments', config.arguments ?? {}, (field, source) => renderTemplate(parseOrFail(node, `arguments.${field}`, source, parseTemplate), scope));
    try {
      validateArgs(tool, args);
    } catch (err) {
      if (err instanceof ToolInputError) throw new RunFailure('INVALID_ARGUMENTS', `node ${node.id}: ${err.message}`, { nodeId: node.id });
      throw err;
    }
    return journal.step<string>({ key: `${key}/tool`, name: tool.name, type: 'tool', input: { arguments: args } }, async () => {
      try {
        return { output: await tool.execute(args, { ownerId: run.ownerId, runId: run.id, signal }) };
      } catch (err) {
        if (signal.aborted || err instanceof LeaseLostError) throw err;
        throw new RunFailure('TOOL_FAILED', `node ${node.id}: the tool ${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`, { tool: tool.name, nodeId: node.id });
      }
    });
  }

  /** A built-in by name; any other kind through the tool sources (integration tools once they exist). */
  private async findTool(run: RunEntity, node: WorkflowNode, ref: { kind: string; name: string; refId?: string; provider?: string }): Promise<Tool> {
    if (ref.kind === 'builtin') {
      const tool = this.tools.builtin(ref.name);
      if (!tool) throw new RunFailure('TOOL_UNAVAILABLE', `node ${node.id}: there is no built-in tool "${ref.name}"`, { nodeId: node.id });
      return tool;
    }
    const set = await this.tools.forAgent({ ownerId: run.ownerId, runId: run.id, refs: [ref as Parameters<ToolsService['forAgent']>[0]['refs'][number]], knowledgeBaseIds: [] });
    const tool = set.tools[0];
    if (!tool) throw new RunFailure('TOOL_UNAVAILABLE', `node ${node.id}: ${set.unavailable[0]?.reason ?? `the tool ${ref.name} is not available`}`, { nodeId: node.id });
    return tool;
  }

  private async knowledge(run: RunEntity, node: WorkflowNode, scope: Scope): Promise<unknown> {
    const config = node.config ?? {};
    const query = renderText(template(node, 'queryTemplate', config.queryTemplate), scope);
    const request = {
      ownerId: run.ownerId,
      knowledgeBaseIds: (config.knowledgeBaseIds as string[]) ?? [],
      query,
      ...(typeof config.topK === 'number' ? { topK: config.topK } : {}),
      ...(typeof config.mode === 'string' ? { mode: config.mode as 'hybrid' } : {}),
      ...(config.filter !== undefined ? { filter: config.filter as Record<string, unknown> } : {}),
    };
    try {
      return (await this.bus.request(KnowledgeSearchContracts.search, request, { actor: EXECUTION, timeoutMs: KNOWLEDGE_TIMEOUT_MS })).items;
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.UPSTREAM_TIMEOUT && (err.details as { reason?: string } | undefined)?.reason === 'no_responders') {
        throw new RunFailure('KNOWLEDGE_UNAVAILABLE', `node ${node.id}: knowledge search is not available on this platform`, { nodeId: node.id });
      }
      if (err instanceof AppError && (err.code === ErrorCode.NOT_FOUND || err.code === ErrorCode.VALIDATION_FAILED)) {
        throw new RunFailure('KNOWLEDGE_REFUSED', `node ${node.id}: ${err.message}`, { nodeId: node.id });
      }
      throw err;
    }
  }

  /** The workflow version the run pinned, as queued; asked of the workflow service only for a run queued without it. */
  private async pinnedWorkflow(run: RunEntity): Promise<ResolvedWorkflow> {
    if (!run.workflowId || run.workflowVersion === null) throw new RunFailure('INVALID_RUN', 'a workflow run without a workflow');
    const snapshot = run.workflowSnapshot as ResolvedWorkflow | null;
    if (snapshot && snapshot.workflowId === run.workflowId && snapshot.version === run.workflowVersion) return snapshot;
    try {
      return await this.bus.request(WorkflowResolveContracts.resolve, { workflowId: run.workflowId, version: run.workflowVersion, ownerId: run.ownerId }, { actor: EXECUTION });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw new RunFailure('WORKFLOW_NOT_FOUND', 'the workflow (or the version the run pinned) no longer exists');
      throw err;
    }
  }
}

/** The state's variables at the start: their declared defaults, else null. */
function initialState(definition: WorkflowDefinition): Record<string, unknown> {
  return Object.fromEntries(definition.state.map((v) => [v.name, v.default ?? null]));
}

/** A completed node's effects on the run: its output in the scope, the variables it writes, the outputs it sets. */
function apply(state: WalkState, node: WorkflowNode, result: NodeResult): void {
  state.scope.nodes[node.id] = { output: result.output };
  const target = node.config?.output;
  if (typeof target === 'string') state.scope.state[target] = result.output;
  if (result.set) Object.assign(state.scope.state, result.set);
  if (result.outputs) Object.assign(state.outputs, result.outputs);
}

/** What a conversation shows of the outputs: the one text output as it is, otherwise the outputs as JSON. */
function answerOf(outputs: Record<string, unknown>): string {
  const values = Object.values(outputs);
  if (values.length === 1 && typeof values[0] === 'string') return values[0];
  return JSON.stringify(outputs, null, 2);
}

function humanResult(answer: unknown): NodeResult {
  return { output: answer };
}

function parseOrFail<T>(node: WorkflowNode, field: string, source: unknown, parse: (text: string) => T): T {
  if (typeof source !== 'string') throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: config.${field} must be text`, { nodeId: node.id });
  try {
    return parse(source);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: config.${field}: ${err.message}`, { nodeId: node.id });
    throw err;
  }
}

function template(node: WorkflowNode, field: string, source: unknown) {
  return parseOrFail(node, field, source, parseTemplate);
}

/** Evaluates one of the node's expressions; one that cannot be evaluated fails the run naming the node and field. */
function expression(node: WorkflowNode, field: string, source: unknown, scope: Scope): unknown {
  const parsed = parseOrFail(node, field, source, parseExpression);
  try {
    return evaluate(parsed, scope);
  } catch (err) {
    if (err instanceof ExpressionEvaluationError) throw new RunFailure('EXPRESSION_FAILED', `node ${node.id}: config.${field}: ${err.message}`, { nodeId: node.id });
    throw err;
  }
}

function mapValues<T>(node: WorkflowNode, field: string, source: unknown, map: (name: string, value: unknown) => T): Record<string, T> {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) throw new RunFailure('INVALID_WORKFLOW', `node ${node.id}: config.${field} must be an object`, { nodeId: node.id });
  return Object.fromEntries(Object.entries(source).map(([name, value]) => [name, map(name, value)]));
}
