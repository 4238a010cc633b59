import type { Tool, ToolContext, ToolDefinition } from './tool.js';

/** A tool the API caller implements: the run pauses and the caller answers, so the server never executes it. */
export class ClientTool implements Tool {
  readonly location = 'client' as const;
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;

  constructor(definition: ToolDefinition) {
    this.name = definition.name;
    this.description = definition.description;
    this.parameters = definition.parameters;
  }

  async execute(_args: Record<string, unknown>, _context: ToolContext): Promise<string> {
    throw new Error(`tool "${this.name}" is a client tool: the caller executes it, not the server`);
  }
}
