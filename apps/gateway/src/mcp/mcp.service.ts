import { Inject, Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, type CallToolResult, ErrorCode as McpErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { type Actor, AppError, isSettledRunStatus, RunContracts, type RunView, type WorkflowField } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayWrite } from '../http/auth.guard.js';
import { answerText, type RunTarget, RunTargetsService } from '../run-targets/run-targets.service.js';
import { RunsService } from '../runs/runs.service.js';

/** The run events a caller hears about as progress: what the run does, not each token. */
const PROGRESS_EVENTS = /^(run|step|node)\./;

/**
 * The caller's published agents and workflows as MCP tools. Stateless: each POST gets its own SDK
 * server and transport, built for the caller the Bearer credential proved, so nothing of one
 * caller is ever reachable from another's request. A call is a run through the run API: durable,
 * limited, counted and listed in /api/v1/runs; its events come back as progress notifications.
 */
@Injectable()
export class McpService {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly runs: RunsService,
    private readonly targets: RunTargetsService,
  ) {}

  async handle(actor: Actor, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method !== 'POST') {
      // Stateless: no standalone SSE stream to GET and no session to DELETE.
      void reply
        .status(405)
        .header('allow', 'POST')
        .send({ jsonrpc: '2.0', error: { code: -32000, message: 'This MCP server is stateless: POST each JSON-RPC message' }, id: null });
      return;
    }
    const server = this.serverFor(actor);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    reply.hijack();
    reply.raw.once('close', () => {
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (err) {
      // The reply is hijacked: no filter can answer any more, so the JSON-RPC error is written here.
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
      }
      throw err;
    }
  }

  /** The caller's published agents and workflows by tool name: the slug, with the id's start when two share one. */
  async named(actor: Actor): Promise<Array<{ name: string; target: RunTarget }>> {
    const targets = await this.targets.list(actor, { publishedAgentsOnly: true });
    const slugCount = new Map<string, number>();
    for (const t of targets) slugCount.set(t.slug, (slugCount.get(t.slug) ?? 0) + 1);
    return targets.map((target) => ({ name: slugCount.get(target.slug) === 1 ? target.slug : `${target.slug.slice(0, 55)}-${target.id.slice(0, 8)}`, target }));
  }

  /** The tools of the caller, each with its input schema: `message` for an agent, the declared inputs of a workflow. */
  async tools(actor: Actor): Promise<Tool[]> {
    return Promise.all(
      (await this.named(actor)).map(async ({ name, target }): Promise<Tool> => {
        const inputSchema =
          target.kind === 'agent'
            ? { type: 'object' as const, properties: { message: { type: 'string', description: 'What to ask the agent' } }, required: ['message'] }
            : schemaOf(await this.targets.workflowInputs(actor, target.id, target.defaultVersion));
        const description = target.description ?? (target.kind === 'agent' ? `Ask the agent "${target.name}"` : `Run the workflow "${target.name}"`);
        return { name, title: target.name, description, inputSchema };
      }),
    );
  }

  /** A server for one request of the caller. */
  private serverFor(actor: Actor): Server {
    const server = new Server({ name: 'agent-platform', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await this.tools(actor) }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
      if (!mayWrite(actor.scopes)) throw new McpError(McpErrorCode.InvalidRequest, 'this API key is read-only: it may list tools but not call them');
      const tool = (await this.named(actor)).find((t) => t.name === request.params.name);
      if (!tool) throw new McpError(McpErrorCode.InvalidParams, `no tool named ${request.params.name}`);
      const args = (request.params.arguments ?? {}) as Record<string, unknown>;
      const progressToken = request.params._meta?.progressToken;
      let progress = 0;
      const report = (message: string) =>
        progressToken === undefined ? Promise.resolve() : extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++progress, message } });
      const stop = new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve(), { once: true }));
      try {
        const run = await this.start(actor, tool.target, args);
        await report(`run ${run.id} queued`);
        for await (const event of this.runs.events(actor, run.id, 0, stop)) {
          if (PROGRESS_EVENTS.test(event.type)) await report(describeEvent(event.type, event.data));
        }
        // The connection went away: not a cancel (the MCP spec says so), so the run goes on, in
        // /api/v1/runs. (A client's notifications/cancelled arrives as another POST, to another
        // stateless server, which has no such request: cancel with POST /api/v1/runs/:id/cancel.)
        if (extra.signal.aborted) return { content: [{ type: 'text', text: `run ${run.id} goes on in the background` }], isError: true };
        return resultOf(await this.runs.settle(actor, await this.bus.request(RunContracts.get, { id: run.id }, { actor }), stop));
      } catch (err) {
        // A refusal (bad inputs, limits, an inactive agent) is the tool's answer, for the model to read.
        if (err instanceof AppError) return { content: [{ type: 'text', text: `${err.code}: ${err.message}` }], isError: true };
        throw err;
      }
    });
    return server;
  }

  private start(actor: Actor, target: RunTarget, args: Record<string, unknown>): Promise<RunView> {
    if (target.kind === 'agent') {
      if (typeof args.message !== 'string' || args.message.trim().length === 0) throw AppError.invalidField('message', 'message must be a non-empty string');
      return this.bus.request(RunContracts.start, { agentId: target.id, version: target.defaultVersion, input: args.message }, { actor });
    }
    return this.bus.request(RunContracts.startWorkflow, { workflowId: target.id, version: target.defaultVersion, inputs: args }, { actor });
  }
}

const JSON_TYPES: Record<WorkflowField['type'], object> = {
  string: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  object: { type: 'object' },
  array: { type: 'array' },
  any: {},
};

/** A workflow's declared inputs as the JSON Schema of its tool's arguments. */
function schemaOf(inputs: WorkflowField[]): { type: 'object'; properties: Record<string, object>; required: string[] } {
  const properties: Record<string, object> = {};
  const required: string[] = [];
  for (const field of inputs) {
    properties[field.name] = {
      ...JSON_TYPES[field.type],
      ...(field.description ? { description: field.description } : {}),
      ...(field.default !== undefined ? { default: field.default } : {}),
    };
    if (field.required && field.default === undefined) required.push(field.name);
  }
  return { type: 'object', properties, required };
}

function describeEvent(type: string, data: unknown): string {
  const d = (data ?? {}) as { name?: unknown; key?: unknown; nodeId?: unknown };
  const what = [d.name, d.key, d.nodeId].find((v) => typeof v === 'string');
  return what ? `${type} ${String(what)}` : type;
}

/** A settled run as the tool's result: the answer, or why there is none. */
function resultOf(run: RunView): CallToolResult {
  const meta = { _meta: { runId: run.id, status: run.status } };
  if (run.status === 'completed') return { content: [{ type: 'text', text: answerText(run.output) }], ...meta };
  if (run.status === 'requires_action') {
    return { content: [{ type: 'text', text: `run ${run.id} waits for input; answer it with POST /api/v1/runs/${run.id}/resume` }], isError: true, ...meta };
  }
  if (!isSettledRunStatus(run.status)) return { content: [{ type: 'text', text: `run ${run.id} is still ${run.status}` }], isError: true, ...meta };
  const why = run.error ? `${run.error.code}: ${run.error.message}` : run.status;
  return { content: [{ type: 'text', text: `run ${run.id} ${run.status}: ${why}` }], isError: true, ...meta };
}
