import { CalculatorTool } from './calculator.tool.js';
import { ClientTool } from './client-tool.js';
import { CurrentTimeTool } from './current-time.tool.js';
import { HttpGetTool } from './http-get.tool.js';
import { ToolInputError, type Tool, type ToolDefinition } from './tool.js';

export { ToolInputError, toOpenAiTool, type Tool } from './tool.js';
export { validateArgs } from './validate-args.js';

export type ToolRefKind = 'builtin' | 'registry' | 'mcp' | 'integration';

/** How an agent names a tool it wants; only builtins resolve today, the other kinds are placeholders for later sources. */
export interface ToolRef {
  kind: ToolRefKind;
  name: string;
  refId?: string;
  provider?: string;
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

export interface ToolsOptions {
  httpAllowlist: string[];
  httpTimeoutMs?: number;
  httpMaxBytes?: number;
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
      new HttpGetTool({ allowlist: options.httpAllowlist, timeoutMs: options.httpTimeoutMs, maxBytes: options.httpMaxBytes }),
    ];
    this.builtins = new Map(tools.map((tool) => [tool.name, tool]));
  }

  builtinNames(): string[] {
    return [...this.builtins.keys()];
  }

  /**
   * Resolves what can be resolved and reports the rest as unavailable rather than failing the run,
   * so an agent still works when one of its tool sources is missing. A client tool that clashes with
   * another tool's name is the caller's mistake and throws ToolInputError.
   */
  forAgent(refs: ToolRef[], clientTools: ToolDefinition[] = []): AgentToolSet {
    const byName = new Map<string, Tool>();
    const unavailable: UnavailableTool[] = [];

    for (const ref of refs) {
      switch (ref.kind) {
        case 'builtin': {
          const tool = this.builtins.get(ref.name);
          if (tool) byName.set(tool.name, tool);
          else unavailable.push({ kind: ref.kind, name: ref.name, reason: `unknown builtin tool "${ref.name}"` });
          break;
        }
        case 'registry':
        case 'mcp':
        case 'integration':
          unavailable.push({ kind: ref.kind, name: ref.name, reason: `${ref.kind} tools are not available yet` });
          break;
      }
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
