import type { ClientToolDefinition, RunHistoryMessage, RunModelSettings } from '#contracts';
import type { ToolCitation } from '../tools/tools.service.js';

/**
 * What an agent run stores as its input (runs.input): written by the start request, read by the
 * agent executor. Never holds a provider key: a key sent with the request lives only in the
 * memory of the worker named by runs.key_holder (the run engine holds it).
 */
export interface AgentRunInput {
  /** The user message. */
  message: string;
  /** In a conversation: the message the user message answers (the current leaf when absent; null: a new first message). */
  parentId?: string | null;
  /** Tools the caller executes: their calls park the run in requires_action. */
  clientTools?: ClientToolDefinition[];
  /** {{name}} in the system prompt is replaced by its value. */
  variables?: Record<string, string>;
  /** True when a provider key came with the request (then only the key holder can run it). */
  providerKeySent?: boolean;
  /** A standalone run's earlier messages, as the caller keeps them (never with a conversation). */
  history?: RunHistoryMessage[];
  /** The caller's instructions, after the agent's system prompt. */
  instructions?: string;
  /** Temperature and reply length the caller asked for; the agent's maxTokens still caps the length. */
  modelSettings?: RunModelSettings;
  /** Who the caller serves (OpenAI's `user`). */
  endUser?: string;
}

/** runs.output of an agent run. */
export interface AgentRunOutput {
  content: string;
  /** The assistant message written to the conversation. */
  messageId?: string;
  /** The user message the run wrote to the conversation (what the answer answers). */
  userMessageId?: string;
  /** The knowledge chunks the run's tools returned, best first (also on the assistant message's metadata). */
  citations?: ToolCitation[];
}

export interface RequiredToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as the model wrote them. */
  arguments: string;
}

/** runs.required_action of an agent run waiting for client-side tool results. */
export interface ClientToolCallsAction {
  type: 'client_tool_calls';
  toolCalls: RequiredToolCall[];
}

/** runs.required_action of an agent run waiting for a person to approve or deny tool calls. */
export interface ToolApprovalAction {
  type: 'tool_approval';
  toolCalls: RequiredToolCall[];
}

/** The journal key under which a resume stores a person's decision on one tool call, as `ToolApprovalOutput`. */
export function approvalStepKey(toolCallId: string): string {
  return `approval:${toolCallId}`;
}

export interface ToolApprovalOutput {
  approved: boolean;
  reason?: string;
}

/** The journal key of a tool call's step; a resume stores each client tool's result under it as `{ result }`. */
export function toolStepKey(toolCallId: string): string {
  return `tool:${toolCallId}`;
}

export interface ToolStepOutput {
  result: string;
}
