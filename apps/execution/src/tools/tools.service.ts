import type { OutboundPolicy } from '#outbound';
import { CalculatorTool } from './calculator.tool.js';
import { ClientTool } from './client-tool.js';
import { CurrentTimeTool } from './current-time.tool.js';
import { HttpGetTool } from './http-get.tool.js';
import { requiringApproval, ToolInputError, type Tool, type ToolDefinition } from './tool.js';
import type { AgentToolSet, ToolRefKind, ToolRequest, ToolSource, UnavailableTool } from './tool-source.js';

export { requiringApproval, ToolInputError, toOpenAiTool, type Tool, type ToolCitation, type ToolContext, type ToolDefinition } from './tool.js';
export type { AgentToolSet, ToolRef, ToolRefKind, ToolRequest, ToolSource, UnavailableTool } from './tool-source.js';
export { validateArgs } from './validate-args.js';

export interface ToolsOptions {
  httpAllowlist: string[];
  httpTimeoutMs?: number;
  httpMaxBytes?: number;
  /** The internal-address check http_get makes after DNS resolution (the operator's OUTBOUND_* settings). */
  httpPolicy?: OutboundPolicy;
  clock?: () => Date;
}

/** What OpenAI-compatible providers accept as a function name. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The tools an agent run may call: builds the tool set of one run from its tool references and the caller's client tools. */
export class ToolsService {
  /** Built-ins hold no per-run state, so one instance of each serves every run. */
  private readonly builtins: ReadonlyMap<string, Tool>;

  constructor(options: ToolsOptions) {
    const tools: Tool[] = [
      new CurrentTimeTool(options.clock),
      new CalculatorTool(),
      new HttpGetTool({ allowlist: options.httpAllowlist, timeoutMs: options.httpTimeoutMs, maxBytes: options.httpMaxBytes, policy: options.httpPolicy }),
    ];
    this.builtins = new Map(tools.map((tool) => [tool.name, tool]));
  }

  private readonly sources: ToolSource[] = [];

  builtinNames(): string[] {
    return [...this.builtins.keys()];
  }

  /** A built-in by name (a workflow's tool node calls one directly), or undefined. */
  builtin(name: string): Tool | undefined {
    return this.builtins.get(name);
  }

  /** Called by a source's module when it starts; later sources cannot replace an earlier source's tool names. */
  addSource(source: ToolSource): void {
    this.sources.push(source);
  }

  /**
   * Resolves what can be resolved and reports the rest as unavailable rather than failing the run,
   * so an agent still works when one of its tool sources is missing. A client tool that clashes with
   * another tool's name is the caller's mistake and throws ToolInputError.
   */
  async forAgent(request: ToolRequest, clientTools: ToolDefinition[] = []): Promise<AgentToolSet> {
    const byName = new Map<string, Tool>();
    const unavailable: UnavailableTool[] = [];

    for (const ref of request.refs) {
      if (ref.kind !== 'builtin') continue;
      const tool = this.builtins.get(ref.name);
      if (tool) byName.set(tool.name, ref.requireApproval ? requiringApproval(tool) : tool);
      else unavailable.push({ kind: ref.kind, name: ref.name, reason: `unknown builtin tool "${ref.name}"` });
    }

    const claimed = new Set<ToolRefKind>(['builtin']);
    const answers = await Promise.all(
      this.sources.map((source) => {
        const refs = request.refs.filter((ref) => source.kinds.includes(ref.kind));
        for (const kind of source.kinds) claimed.add(kind);
        return source.resolve(request, refs);
      }),
    );
    for (const answer of answers) {
      for (const tool of answer.tools) {
        if (byName.has(tool.name)) unavailable.push({ kind: 'builtin', name: tool.name, reason: `another tool of the agent is already named "${tool.name}"` });
        else byName.set(tool.name, tool);
      }
      unavailable.push(...answer.unavailable);
    }
    for (const ref of request.refs) {
      if (!claimed.has(ref.kind)) unavailable.push({ kind: ref.kind, name: ref.name, reason: `${ref.kind} tools are not available yet` });
    }

    for (const definition of clientTools) {
      if (typeof definition.name !== 'string' || !TOOL_NAME.test(definition.name)) {
        throw new ToolInputError(`client tool name "${String(definition.name)}" must be 1-64 letters, digits, "_" or "-"`);
      }
      const existing = byName.get(definition.name);
      if (existing) {
        throw new ToolInputError(
          existing.location === 'client'
            ? `client tool "${definition.name}" is defined twice`
            : `client tool "${definition.name}" clashes with the agent's server tool of the same name`,
        );
      }
      if (typeof definition.parameters !== 'object' || definition.parameters === null || Array.isArray(definition.parameters)) {
        throw new ToolInputError(`client tool "${definition.name}" parameters must be a JSON Schema object`);
      }
      byName.set(definition.name, new ClientTool({ ...definition, description: definition.description ?? '' }));
    }

    return { tools: [...byName.values()], unavailable };
  }
}
