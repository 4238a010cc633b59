import { type CallToolReply, type ResolvedTool, serviceActor, ToolCallContracts } from '#contracts';
import type { BusClient } from '#messaging';
import type { Tool, ToolContext } from '../tools/tools.service.js';

const EXECUTION = serviceActor('execution');
/** Room for the bus hop on top of the call's own limit, so the integration service's timeout answer arrives first. */
const BUS_MARGIN_MS = 2000;

/**
 * A tool whose calls go to the integration service (which holds the credentials): an MCP server's
 * tool, a registry HTTP tool or a provider's API. The model reads the text it answers; an error the
 * tool answers is the model's to read too, not a failure of the run.
 */
export class IntegrationTool implements Tool {
  readonly location = 'server' as const;
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  readonly idempotent: boolean;
  readonly requireApproval: boolean;

  constructor(
    private readonly resolved: ResolvedTool,
    private readonly bus: BusClient,
    private readonly options: { agentId?: string; timeoutMs: number; requireApproval: boolean },
  ) {
    this.name = resolved.name;
    this.description = resolved.description;
    this.parameters = resolved.parameters;
    this.idempotent = resolved.idempotent;
    this.requireApproval = options.requireApproval;
  }

  async execute(args: Record<string, unknown>, context: ToolContext): Promise<string> {
    const request = this.bus.request(
      ToolCallContracts.call,
      {
        ownerId: context.ownerId,
        ...(this.options.agentId ? { agentId: this.options.agentId } : {}),
        runId: context.runId,
        callId: context.callId ?? 'unknown',
        target: this.resolved.target,
        arguments: args,
        timeoutMs: this.options.timeoutMs,
      },
      { actor: EXECUTION, timeoutMs: this.options.timeoutMs + BUS_MARGIN_MS },
    );
    const reply: CallToolReply = await abortable(request, context.signal);
    return reply.isError && !reply.text.startsWith('Error') ? `Error: ${reply.text}` : reply.text;
  }
}

/** Stops waiting when the run is cancelled (the integration service's own timeout ends the call there). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
