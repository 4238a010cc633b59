import { Inject, Injectable } from '@nestjs/common';
import type { IntegrationConfig } from '#config';
import {
  type Actor,
  AppError,
  type AvailableTool,
  type AvailableToolList,
  BUILTIN_TOOL_NAMES,
  BUILTIN_TOOLS,
  CALLABLE_TOOL_NAME,
  type CallToolReply,
  type CallToolRequest,
  type CheckToolRefsReply,
  type CheckToolRefsRequest,
  ErrorCode,
  type ResolvedTool,
  type ResolveToolsReply,
  type ResolveToolsRequest,
  requireService,
  requireUserId,
  type ToolReference,
  type ToolRefProblem,
  type UnresolvedTool,
  unknownBuiltinTool,
} from '#contracts';
import { ActingUser } from '#persistence';
import { ConnectionsService } from '../connections/connections.service.js';
import { INTEGRATION_CONFIG } from '../integration-config.module.js';
import { type McpServerEntity, McpServersService } from '../mcp-servers/mcp-servers.service.js';
import { ToolRegistryService } from '../tool-registry/tool-registry.service.js';
import { UsageService } from '../usage/usage.service.js';

/**
 * Everything the rest of the platform asks about tools as a whole: whether an agent's (or a
 * workflow's) tool references resolve for its owner, the tools an agent may be given, and, for
 * the execution service, the tools of one run and their calls (each a usage row).
 */
@Injectable()
export class ToolCatalogService {
  constructor(
    private readonly registry: ToolRegistryService,
    private readonly mcp: McpServersService,
    private readonly usage: UsageService,
    private readonly connections: ConnectionsService,
    @Inject(INTEGRATION_CONFIG) private readonly config: IntegrationConfig,
  ) {}

  /** NOT_FOUND for a server or tool that is missing or another user's; UNKNOWN_TOOL for a name nothing offers. */
  check(actor: Actor, request: CheckToolRefsRequest): Promise<CheckToolRefsReply> {
    if (actor.kind !== 'service') throw new AppError(ErrorCode.FORBIDDEN, 'only services may check tool references');
    // A service's call made for a user acts as that user (row-level security on the user's tools).
    return ActingUser.run(request.ownerId, () => this.checkFor(request));
  }

  private async checkFor(request: CheckToolRefsRequest): Promise<CheckToolRefsReply> {
    const { ownerId, refs } = request;
    const [tools, servers] = await Promise.all([
      this.registry.ownedIn(ownerId, idsOf(refs, 'registry')),
      this.mcp.visibleIn(ownerId, idsOf(refs, 'mcp')),
    ]);
    const toolIds = new Set(tools.map((t) => t.id));
    const serverById = new Map(servers.map((s) => [s.id, s]));
    const problems: ToolRefProblem[] = [];
    refs.forEach((ref, index) => {
      const problem = (code: ToolRefProblem['code'], message: string) => problems.push({ index, code, message });
      switch (ref.kind) {
        case 'builtin': {
          const unknown = unknownBuiltinTool(ref.name);
          if (unknown) problem('UNKNOWN_TOOL', unknown);
          break;
        }
        case 'registry':
          if (!toolIds.has(ref.refId ?? '')) problem('NOT_FOUND', `tools[${index}]: tool ${ref.refId} not found`);
          break;
        case 'mcp': {
          const server = serverById.get(ref.refId ?? '');
          if (!server) {
            problem('NOT_FOUND', `tools[${index}]: MCP server ${ref.refId} not found`);
            break;
          }
          // Names can be checked only against a list the server gave (it may be down or not checked yet).
          if (server.toolsDiscoveredAt !== null) {
            const names = new Set(server.tools.map((t) => t.name));
            const unknown = [...(ref.include ?? []), ...(ref.exclude ?? [])].filter((name) => !names.has(name));
            if (unknown.length > 0) problem('UNKNOWN_TOOL', `tools[${index}]: the MCP server ${server.name} has no tool ${unknown.map((n) => `"${n}"`).join(', ')}`);
          }
          break;
        }
        case 'integration':
          if (!this.provider(ref.provider ?? ref.name)) problem('UNKNOWN_TOOL', `tools[${index}]: there is no integration provider "${ref.provider ?? ref.name}" (see GET /integrations/providers)`);
          break;
      }
    });
    return { problems };
  }

  /** The built-ins, the user's HTTP tools, the tools of every MCP server they may use, and the configured providers. */
  async available(actor: Actor): Promise<AvailableToolList> {
    const ownerId = requireUserId(actor);
    const [tools, servers] = await Promise.all([this.registry.active(ownerId), this.mcp.visible(ownerId)]);
    const items: AvailableTool[] = BUILTIN_TOOL_NAMES.map((name) => ({
      source: 'builtin',
      name,
      description: BUILTIN_TOOLS[name].description,
      ref: { kind: 'builtin', name },
      from: null,
      ready: true,
    }));
    for (const tool of tools) items.push({ source: 'registry', name: tool.name, description: tool.description, ref: { kind: 'registry', name: tool.name, refId: tool.id }, from: null, ready: true });
    for (const server of servers.filter((s) => s.isEnabled)) {
      const ref = { kind: 'mcp' as const, name: refName(server.name), refId: server.id };
      const authProblem = await this.mcp.authProblem(server, ownerId);
      if (authProblem) {
        items.push({ source: 'mcp', name: server.name, description: authProblem, ref, from: server.name, ready: false });
        continue;
      }
      if (server.toolsDiscoveredAt === null) {
        items.push({ source: 'mcp', name: server.name, description: 'Tools not discovered yet: POST /mcp-servers/:id/check', ref, from: server.name, ready: false });
        continue;
      }
      for (const tool of server.tools) items.push({ source: 'mcp', name: callableName(tool.name), description: tool.description, ref: { ...ref, include: [tool.name] }, from: server.name, ready: true });
    }
    for (const provider of this.config.providers) {
      items.push({ source: 'integration', name: `${provider.name}_api`, description: `Calls the ${provider.title} API with your connected account`, ref: { kind: 'integration', name: provider.name, provider: provider.name }, from: provider.title, ready: true });
    }
    return { items };
  }

  /** For the execution service: the tools of a run's mcp, registry and integration references. */
  resolve(actor: Actor, request: ResolveToolsRequest): Promise<ResolveToolsReply> {
    requireService(actor, 'execution');
    return ActingUser.run(request.ownerId, () => this.resolveFor(request));
  }

  private async resolveFor(request: ResolveToolsRequest): Promise<ResolveToolsReply> {
    const { ownerId, refs } = request;
    const [tools, servers] = await Promise.all([this.registry.ownedIn(ownerId, idsOf(refs, 'registry')), this.mcp.visibleIn(ownerId, idsOf(refs, 'mcp'))]);
    const toolById = new Map(tools.map((t) => [t.id, t]));
    const serverById = new Map(servers.map((s) => [s.id, s]));
    const resolved: ResolvedTool[] = [];
    const unavailable: UnresolvedTool[] = [];
    for (const [refIndex, ref] of refs.entries()) {
      const missing = (reason: string) => unavailable.push({ kind: ref.kind, name: ref.name, reason });
      if (ref.kind === 'registry') {
        const tool = toolById.get(ref.refId ?? '');
        if (!tool) missing('the tool no longer exists');
        else if (!tool.isActive) missing(`the tool ${tool.name} is switched off`);
        else resolved.push({ name: tool.name, description: tool.description, parameters: tool.parameters, idempotent: tool.idempotent, refIndex, target: { kind: 'registry', id: tool.id, toolName: tool.name } });
      } else if (ref.kind === 'mcp') {
        const server = serverById.get(ref.refId ?? '');
        if (!server) missing('the MCP server no longer exists');
        else if (!server.isEnabled) missing(`the MCP server ${server.name} is switched off`);
        else resolved.push(...(await this.serverTools(server, ownerId, ref, refIndex, missing)));
      } else if (ref.kind === 'integration') {
        const provider = this.provider(ref.provider ?? ref.name);
        if (!provider) missing(`there is no integration provider "${ref.provider ?? ref.name}"`);
        else if (!provider.apiBaseUrl) missing(`${provider.title} has no API base URL configured for a tool`);
        else if (!(await this.connections.usableConnection(ownerId, request.agentId ?? null, provider.name))) missing(`connect ${provider.title} first (POST /integrations/${provider.name}/authorize)`);
        else resolved.push({ name: `${provider.name.replace(/-/g, '_')}_api`, description: `Calls the ${provider.title} API (${provider.apiBaseUrl}) with the connected account`, parameters: PROVIDER_API_PARAMETERS, idempotent: false, refIndex, target: { kind: 'integration', id: provider.name, toolName: `${provider.name}_api` } });
      }
    }
    return { tools: resolved, unavailable };
  }

  /** For the execution service: one call, with its timeout; every call is a usage row, failed ones too. */
  call(actor: Actor, request: CallToolRequest): Promise<CallToolReply> {
    requireService(actor, 'execution');
    // The call and its usage row are the run owner's.
    return ActingUser.run(request.ownerId, () => this.callFor(request));
  }

  private async callFor(request: CallToolRequest): Promise<CallToolReply> {
    const { ownerId, target } = request;
    const started = Date.now();
    const signal = AbortSignal.timeout(request.timeoutMs);
    let reply: CallToolReply;
    let failure: string | null = null;
    try {
      reply = await this.dispatch(request, signal);
      if (reply.isError) failure = reply.text.slice(0, 200);
    } catch (err) {
      failure = signal.aborted ? `no answer within ${request.timeoutMs} ms` : err instanceof AppError ? err.message : 'the call failed';
      reply = { text: `Error: ${failure}`, isError: true };
    }
    await this.usage.record({
      ownerId,
      agentId: request.agentId ?? null,
      runId: request.runId,
      callId: request.callId,
      targetKind: target.kind,
      targetId: target.id,
      toolName: target.toolName,
      durationMs: Date.now() - started,
      success: failure === null,
      error: failure,
      inputBytes: Buffer.byteLength(JSON.stringify(request.arguments)),
      outputBytes: Buffer.byteLength(reply.text),
    });
    return reply;
  }

  private async dispatch(request: CallToolRequest, signal: AbortSignal): Promise<CallToolReply> {
    const { ownerId, target } = request;
    switch (target.kind) {
      case 'registry':
        return this.registry.call(ownerId, target.id, request.arguments, signal);
      case 'mcp': {
        const [server] = await this.mcp.visibleIn(ownerId, [target.id]);
        if (!server) return { text: 'Error: the MCP server no longer exists', isError: true };
        const result = await this.mcp.callTool(server, ownerId, { name: target.toolName, args: request.arguments, timeoutMs: request.timeoutMs, signal });
        const text = result.content
          .map((part) => (part.type === 'text' ? part.text : `[${part.type} content]`))
          .join('\n');
        return { text, isError: result.isError === true };
      }
      case 'integration':
        return this.callProviderApi(request, signal);
    }
  }

  /** `<provider>_api`: a request below the provider's API base URL, with the connection's access token (refreshed first when due). */
  private async callProviderApi(request: CallToolRequest, signal: AbortSignal): Promise<CallToolReply> {
    const provider = this.provider(request.target.id);
    if (!provider?.apiBaseUrl) return { text: `Error: there is no provider ${request.target.id} with an API`, isError: true };
    const connection = await this.connections.usableConnection(request.ownerId, request.agentId ?? null, provider.name);
    if (!connection) return { text: `Error: connect ${provider.title} first`, isError: true };
    const args = request.arguments as { method?: unknown; path?: unknown; query?: unknown; body?: unknown };
    const method = typeof args.method === 'string' ? args.method.toUpperCase() : 'GET';
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) return { text: 'Error: method must be GET, POST, PUT, PATCH or DELETE', isError: true };
    const base = new URL(provider.apiBaseUrl);
    const url = new URL(String(args.path ?? '').replace(/^\/+/, ''), base);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return { text: `Error: path must stay below ${provider.apiBaseUrl}`, isError: true };
    if (args.query && typeof args.query === 'object') for (const [k, v] of Object.entries(args.query)) url.searchParams.set(k, String(v));
    const token = await this.connections.accessToken(request.ownerId, connection.id);
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(args.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: args.body !== undefined && method !== 'GET' ? JSON.stringify(args.body) : undefined,
      signal,
    });
    const text = (await res.text()).slice(0, 100_000);
    return { text: `HTTP ${res.status}\n${text}`, isError: res.status >= 400 };
  }

  private async serverTools(server: McpServerEntity, ownerId: string, ref: ToolReference, refIndex: number, missing: (reason: string) => void): Promise<ResolvedTool[]> {
    // Cached tools of a server the owner cannot authorize to would only fail when called: say why now instead.
    const authProblem = await this.mcp.authProblem(server, ownerId);
    if (authProblem) {
      missing(`the MCP server ${server.name}: ${authProblem}`);
      return [];
    }
    let tools;
    try {
      tools = await this.mcp.toolsFor(server, ownerId);
    } catch (err) {
      // A missing or revoked OAuth connection says what to do; anything else is the server's silence.
      missing(err instanceof AppError ? `the MCP server ${server.name}: ${err.message}` : `the MCP server ${server.name} did not answer`);
      return [];
    }
    const include = ref.include ? new Set(ref.include) : undefined;
    const exclude = new Set(ref.exclude ?? []);
    return tools
      .filter((t) => (include ? include.has(t.name) : true) && !exclude.has(t.name))
      .map((t) => ({ name: callableName(t.name), description: t.description, parameters: t.parameters, idempotent: t.idempotent, refIndex, target: { kind: 'mcp' as const, id: server.id, toolName: t.name } }));
  }

  private provider(name: string) {
    return this.config.providers.find((p) => p.name === name);
  }
}

const PROVIDER_API_PARAMETERS = {
  type: 'object',
  properties: {
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string', description: "Path below the provider's API base URL, e.g. gmail/v1/users/me/messages" },
    query: { type: 'object', description: 'Query parameters' },
    body: { type: 'object', description: 'JSON body (not for GET)' },
  },
  required: ['path'],
};

function idsOf(refs: ToolReference[], kind: 'registry' | 'mcp'): string[] {
  return [...new Set(refs.filter((r) => r.kind === kind && r.refId).map((r) => r.refId as string))];
}

/** An MCP tool's name as the model may call it (letters, digits, "_" and "-", at most 64). */
function callableName(name: string): string {
  return CALLABLE_TOOL_NAME.test(name) ? name : name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'tool';
}

/** A server's name as a tool reference's name (letters, digits, "_", "." and "-"). */
function refName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'mcp';
}
