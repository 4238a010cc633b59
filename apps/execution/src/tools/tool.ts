/** The one shape every tool has, whatever its origin (built-in now; MCP, registry and integrations later). */
export interface ToolContext {
  ownerId: string;
  runId: string;
  signal: AbortSignal;
  /** The model's id of this call (usage records name it). */
  callId?: string;
}

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface Tool extends ToolDefinition {
  /** Where it runs: 'server' tools execute here; 'client' tools pause the run for the caller to answer. */
  readonly location: 'server' | 'client';
  /**
   * Safe to send again when a crash leaves it unknown whether a started call ran. A call that is
   * not idempotent is never repeated: its step ends TOOL_OUTCOME_UNKNOWN and the model is told.
   */
  readonly idempotent?: boolean;
  /** A person approves or denies each call before it runs (the run parks in requires_action). */
  readonly requireApproval?: boolean;
  /** Returns the result text the model will read. Throws ToolInputError for bad arguments (the model is told and may retry), any other error = the tool failed. */
  execute(args: Record<string, unknown>, context: ToolContext): Promise<string>;
  /** The sources a result of this tool cites (knowledge_search's chunks); the run's answer carries them. */
  citations?(result: string): ToolCitation[];
}

export interface ToolCitation {
  chunkId: string;
  documentId: string;
  knowledgeBaseId: string;
  score: number;
}

/** The same tool, its calls waiting for a person's approval (the agent's tool reference asked for it). */
export function requiringApproval(tool: Tool): Tool {
  // A view over the shared instance: everything else (state, methods) is the original's.
  return Object.assign(Object.create(tool) as Tool, { requireApproval: true });
}

/** Bad arguments from the model: reported back to it so it can correct itself, not treated as a tool failure. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

export interface OpenAiTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** The OpenAI function-tool shape, which LangChain's bindTools accepts as is. */
export function toOpenAiTool(def: ToolDefinition): OpenAiTool {
  return { type: 'function', function: { name: def.name, description: def.description, parameters: def.parameters } };
}
