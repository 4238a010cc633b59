/** The parts of the API's replies the playground reads (the API's OpenAPI document at /docs has them all). */

export interface User {
  id: string;
  email: string;
  name: string | null;
}

export interface SessionReply {
  user: User;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface ProviderKey {
  provider: string;
  last4: string;
  updatedAt: string;
}

export interface Settings {
  defaultLlmProvider: string | null;
  providerKeys: ProviderKey[];
  providerKeysWritable: boolean;
}

export interface ToolReference {
  kind: 'builtin' | 'registry' | 'mcp' | 'integration';
  name: string;
  refId?: string;
  provider?: string;
}

export interface Agent {
  id: string;
  name: string;
  description: string | null;
  modelProvider: string;
  modelName: string;
  systemPrompt: string;
  tools: ToolReference[];
  templateName: string | null;
  qaWho: string | null;
  currentVersion: number;
  updatedAt: string;
}

export interface AgentTemplate {
  name: string;
  title: string;
  description: string;
  run: { modelProvider: string; modelName: string; systemPrompt: string; tools: ToolReference[] };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Conversation {
  id: string;
  agentId: string | null;
  title: string | null;
  currentLeafId: string | null;
  lastMessageAt: string | null;
  totals: { messages: number; totalTokens: number; costMicros: number };
  updatedAt: string;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Message {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls: ToolCall[] | null;
  toolCallId: string | null;
  runId: string | null;
  model: string | null;
  tokenUsage: { prompt: number; completion: number; total: number } | null;
  costMicros: number;
  createdAt: string;
}

export interface MessageList {
  items: Message[];
  leafId: string | null;
  nextCursor: string | null;
}

export interface TreeNode {
  id: string;
  parentId: string | null;
  role: Message['role'];
  createdAt: string;
}

export interface ConversationTree {
  currentLeafId: string | null;
  nodes: TreeNode[];
}

export interface RunError {
  code: string;
  message: string;
  limit?: string;
}

export interface RunUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costMicros: number;
}

export type RunStatus = 'pending' | 'running' | 'requires_action' | 'completed' | 'failed' | 'cancelled' | 'expired';

export interface Run {
  id: string;
  status: RunStatus;
  conversationId: string | null;
  output: { content?: string } | null;
  outputPartial: boolean;
  error: RunError | null;
  usage: RunUsage;
  createdAt: string;
}

export interface Step {
  seq: number;
  key: string;
  name: string;
  type: string;
  status: string;
  input: unknown;
  output: unknown;
  error: RunError | null;
  usage: RunUsage;
  durationMs: number | null;
}

export interface SearchHit {
  messageId: string;
  conversationId: string;
  conversationTitle: string | null;
  snippet: string;
}

export interface WorkflowField {
  name: string;
  type: string;
  required?: boolean;
  description?: string;
  default?: unknown;
}

export interface WorkflowDefinition {
  inputs: WorkflowField[];
  outputs: WorkflowField[];
  state?: Array<{ name: string; type: string; default?: unknown }>;
  nodes: Array<{ id: string; type: string; config?: Record<string, unknown> }>;
  edges: Array<{ from: string; to: string; [more: string]: unknown }>;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string | null;
  currentVersion: number;
  publishedVersion: number | null;
  updatedAt: string;
}

export interface Workflow extends WorkflowSummary {
  definition: WorkflowDefinition;
}

/** A workflow run as GET /runs/:id answers it (the parts the workflow screen reads). */
export interface WorkflowRunView extends Run {
  workflowId: string | null;
  workflowVersion: number | null;
  requiredAction: { type: string; nodeId?: string; prompt?: string; schema?: unknown } | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface KnowledgeBase {
  id: string;
  name: string;
  description: string | null;
  embedding: { provider: string; model: string; dimensions: number };
  chunking: { size: number; overlap: number };
  reembedding: { status: 'idle' | 'running'; done: number; total: number };
  updatedAt: string;
}

export type DocumentStatus = 'pending' | 'processing' | 'ready' | 'failed';

export interface KnowledgeDocument {
  id: string;
  knowledgeBaseId: string;
  title: string;
  source: string;
  contentType: string;
  sizeBytes: number;
  metadata: Record<string, unknown>;
  status: DocumentStatus;
  error: string | null;
  progress: { done: number; total: number };
  createdAt: string;
}

export interface KnowledgeHit {
  chunkId: string;
  documentId: string;
  content: string;
  score: number;
  metadata: Record<string, unknown>;
  highlight: string;
}
