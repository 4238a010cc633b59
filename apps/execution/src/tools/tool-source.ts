import type { Tool } from './tool.js';

export type ToolRefKind = 'builtin' | 'registry' | 'mcp' | 'integration';

/** How an agent names a tool it wants: builtins resolve here, the other kinds through the ToolSource registered for them. */
export interface ToolRef {
  kind: ToolRefKind;
  name: string;
  refId?: string;
  provider?: string;
  /** Calls of the tools of this reference wait for a person's approval. */
  requireApproval?: boolean;
  /** MCP servers: only these tools of the server, or all but these. */
  include?: string[];
  exclude?: string[];
}

export interface UnavailableTool {
  kind: string;
  name: string;
  reason: string;
}

export interface AgentToolSet {
  tools: Tool[];
  unavailable: UnavailableTool[];
}

/** What one run asks the tool sources for: the agent's tool references and knowledge bases, for its owner. */
export interface ToolRequest {
  ownerId: string;
  runId: string;
  agentId?: string;
  /** The agent's tool references, in the order the agent lists them. */
  refs: ToolRef[];
  /** The agent's knowledge bases (a source offering a search tool over them picks these up). */
  knowledgeBaseIds: string[];
}

/**
 * A place tools come from besides the built-ins: the integration service (MCP servers, registry
 * tools, OAuth integrations), knowledge bases. A source registers itself with ToolsService when its
 * module starts (`tools.addSource(this)`), answers for the ref kinds it names, and reports what it
 * cannot offer as unavailable instead of throwing, so a run still works when one source is down.
 */
export interface ToolSource {
  /** The ref kinds this source resolves; a source may also add tools from the request's other fields. */
  readonly kinds: readonly ToolRefKind[];
  resolve(request: ToolRequest, refs: ToolRef[]): Promise<AgentToolSet>;
}
