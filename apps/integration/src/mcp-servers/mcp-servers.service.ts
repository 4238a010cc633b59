import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { IntegrationConfig } from '#config';
import {
  type Actor,
  AppError,
  type CreateMcpServerRequest,
  ErrorCode,
  type ListMcpServersQuery,
  type McpCheckReply,
  type McpCredentialsRequest,
  type McpHealthStatus,
  type McpServerFields,
  type McpServerList,
  type McpServerView,
  type McpToolList,
  requireUserId,
  type UpdateMcpServerRequest,
} from '#contracts';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { describeError, Metrics, rootLogger } from '#observability';
import { OutboundAddressError, OutboundPolicy } from '#outbound';
import { ActingUser, Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { ProjectOwnership } from '#service-kit';
import { type ConnectionEntity, ConnectionsService } from '../connections/connections.service.js';
import { INTEGRATION_CONFIG } from '../integration-config.module.js';
import { IntegrationEventsService } from '../integration-events/integration-events.service.js';
import { refusedAddress } from '../outbound-address.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { type BearerSource, McpClientPool, type McpEndpoint, refusedEnvName } from './mcp-client-pool.js';
import { McpServerCredentialEntity } from './mcp-server-credential.entity.js';
import { McpServerStatusEntity } from './mcp-server-status.entity.js';
import { type DiscoveredTool, McpServerEntity } from './mcp-server.entity.js';
import { isNeedsAuth, McpServersErrors } from './mcp-servers.errors.js';
import { toMcpServerView, toMcpStatusView, toMcpToolList } from './mcp-servers.mapper.js';
import { McpServersRepository } from './mcp-servers.repository.js';

export type { DiscoveredTool, McpServerEntity } from './mcp-server.entity.js';

const DEFAULT_LIMIT = 20;
const HISTORY = 20;
const CHECK_TIMEOUT_MS = 10_000;

/**
 * The MCP server registry: servers per user (and shared ones an admin defines, whose credential
 * slots each user fills), their credentials sealed at rest, health checks on a schedule and on
 * demand with a status history, and tool discovery cached on the row and refreshed when the server
 * says its list changed. A server that requires OAuth (the MCP authorization spec) is bound to an
 * OAuth connection: each user's session sends their connection's access token, refreshed through
 * the connections feature (once per stale token, across replicas) when it expires or the server
 * answers 401; without a usable connection the server is `needs_auth` for that user, saying what to do.
 */
@Injectable()
export class McpServersService implements OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger().child({ component: 'mcp-servers' });
  private healthTimer: NodeJS.Timeout | undefined;
  private unwatchMetrics: (() => void) | undefined;

  constructor(
    private readonly servers: McpServersRepository,
    private readonly pool: McpClientPool,
    private readonly secrets: SecretsService,
    private readonly events: IntegrationEventsService,
    private readonly policy: OutboundPolicy,
    private readonly database: Database,
    private readonly connections: ConnectionsService,
    private readonly projects: ProjectOwnership,
    @Inject(INTEGRATION_CONFIG) private readonly config: IntegrationConfig,
  ) {}

  onModuleInit(): void {
    const interval = this.config.healthIntervalSeconds * 1000;
    if (interval > 0) this.healthTimer = setInterval(() => void this.checkDue(interval), Math.min(interval, 60_000)).unref();
    this.unwatchMetrics = Metrics.watchMcpServers('integration', () => ActingUser.system('metrics: the MCP servers of every user', () => this.servers.countEnabledByHealth()));
  }

  onModuleDestroy(): void {
    clearInterval(this.healthTimer);
    this.unwatchMetrics?.();
  }

  async create(actor: Actor, request: CreateMcpServerRequest): Promise<McpServerView> {
    const ownerId = requireUserId(actor);
    if (request.name === undefined) throw McpServersErrors.required('name', 'for a new server');
    if (request.transport === undefined) throw McpServersErrors.required('transport', 'for a new server');
    if (request.isShared && !actor.isSuperuser) throw McpServersErrors.onlySuperusersShare();
    const server = Object.assign(new McpServerEntity(), {
      id: newId(),
      ownerId,
      projectId: null,
      name: request.name,
      description: null,
      transport: request.transport,
      url: null,
      command: null,
      args: [],
      envNames: [],
      envSealed: null,
      headerNames: [],
      headersSealed: null,
      credentialSlots: [],
      connectionId: null,
      oauthProvider: null,
      isShared: false,
      isEnabled: true,
      healthStatus: 'unknown' as const,
      lastCheckedAt: null,
      lastError: null,
      tools: [],
      toolsDiscoveredAt: null,
    });
    await this.applyFields(actor, server, request);
    return toMcpServerView(await this.servers.insert(server), ownerId, null);
  }

  async list(actor: Actor, query: ListMcpServersQuery): Promise<McpServerList> {
    const ownerId = requireUserId(actor);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const beforeId = query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id;
    const rows = await this.servers.listVisible(ownerId, limit + 1, beforeId, query.projectId);
    const page = pageOf(rows, limit, (s) => s, (s) => encodeCursor({ id: s.id }));
    return { items: await Promise.all(page.items.map((s) => this.view(s, ownerId))), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: string): Promise<McpServerView> {
    const ownerId = requireUserId(actor);
    return this.view(await this.requireVisible(ownerId, id), ownerId);
  }

  async update(actor: Actor, request: UpdateMcpServerRequest): Promise<McpServerView> {
    const ownerId = requireUserId(actor);
    const server = await this.requireOwn(ownerId, request.id);
    if (request.isShared && !actor.isSuperuser) throw McpServersErrors.onlySuperusersShare();
    await this.applyFields(actor, server, request);
    const saved = await this.servers.save(server);
    await this.pool.close(server.id);
    return this.view(saved, ownerId);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.requireOwn(ownerId, id);
    await this.servers.delete(ownerId, id);
    await this.pool.close(id);
  }

  async setCredentials(actor: Actor, request: McpCredentialsRequest): Promise<McpServerView> {
    const ownerId = requireUserId(actor);
    const server = await this.requireVisible(ownerId, request.id);
    const slots = new Set(server.credentialSlots.map((s) => s.name));
    const unknown = Object.keys(request.values).filter((name) => !slots.has(name));
    if (unknown.length > 0) throw McpServersErrors.unknownSlots(unknown);
    for (const slot of server.credentialSlots) {
      if (slot.target === 'env' && refusedEnvName(slot.name)) throw McpServersErrors.refusedEnv(slot.name);
    }
    const existing = await this.servers.findCredentials(server.id, ownerId);
    const id = existing?.id ?? newId();
    const values = { ...(existing ? this.secrets.openJson(existing.valuesSealed, ownerId, 'mcp_server_credentials', server.id) : {}), ...request.values };
    await this.servers.upsertCredentials(
      Object.assign(new McpServerCredentialEntity(), {
        id,
        serverId: server.id,
        ownerId,
        slotNames: Object.keys(values).sort(),
        valuesSealed: this.secrets.sealJson(values, ownerId, 'mcp_server_credentials', server.id),
      }),
    );
    await this.pool.close(server.id, ownerId);
    return this.view(server, ownerId);
  }

  /** Connects, lists the tools, and records the outcome (status history, the row's health, an event when it changed). */
  async check(actor: Actor, id: string): Promise<McpCheckReply> {
    const ownerId = requireUserId(actor);
    const server = await this.requireVisible(ownerId, id);
    const checked = await this.runCheck(server, ownerId);
    const history = await this.servers.history(server.id, HISTORY);
    return { server: await this.view(checked, ownerId), history: history.map(toMcpStatusView) };
  }

  /** The cached tools; read from the server first if they never were. */
  async tools(actor: Actor, id: string): Promise<McpToolList> {
    const ownerId = requireUserId(actor);
    let server = await this.requireVisible(ownerId, id);
    if (server.toolsDiscoveredAt === null) server = await this.runCheck(server, ownerId);
    return toMcpToolList(server);
  }

  /** Servers among `ids` the owner may use (their own or shared); the others are missing or another user's. */
  visibleIn(ownerId: string, ids: string[]): Promise<McpServerEntity[]> {
    return this.servers.findVisibleIn(ownerId, ids);
  }

  /** Every server the owner may use (at most 200), for the catalogue of available tools. */
  visible(ownerId: string): Promise<McpServerEntity[]> {
    return this.servers.listVisible(ownerId, 200);
  }

  /** The server's tools for a run: the cached list, discovered first if it never was. */
  async toolsFor(server: McpServerEntity, ownerId: string): Promise<DiscoveredTool[]> {
    if (server.toolsDiscoveredAt !== null) return server.tools;
    const tools = await this.discover(server, ownerId, CHECK_TIMEOUT_MS);
    await this.saveTools(server, tools);
    return tools;
  }

  /** One tool call for the owner, through their session with the server. */
  async callTool(server: McpServerEntity, ownerId: string, call: { name: string; args: Record<string, unknown>; timeoutMs: number; signal?: AbortSignal }): Promise<CallToolResult> {
    return this.pool.callTool(this.sessionKey(server, ownerId), () => this.endpointFor(server, ownerId), this.toolsChanged(server), call);
  }

  /** Account deletion, in the caller's transaction. */
  async deleteAllOf(ownerId: string): Promise<void> {
    await this.servers.deleteByOwner(ownerId);
  }

  private async runCheck(server: McpServerEntity, ownerId: string): Promise<McpServerEntity> {
    const started = Date.now();
    let tools: DiscoveredTool[] | undefined;
    let error: string | null = null;
    let status: McpHealthStatus = 'healthy';
    try {
      tools = await this.discover(server, ownerId, CHECK_TIMEOUT_MS);
    } catch (err) {
      error = safeError(err);
      status = isNeedsAuth(err) ? 'needs_auth' : 'unhealthy';
    }
    // One user's missing connection says nothing of a shared server for the others: theirs only, not recorded.
    if (status === 'needs_auth' && ownerId !== server.ownerId) return Object.assign(new McpServerEntity(), server, { healthStatus: status, lastError: error });
    const previous = server.healthStatus;
    // The server's status and its event are its owner's, whoever's check (or the schedule) found it.
    return ActingUser.run(server.ownerId, () => this.database.transaction(async () => {
      await this.servers.insertStatus(
        Object.assign(new McpServerStatusEntity(), { id: newId(), serverId: server.id, status, error, latencyMs: Date.now() - started, toolCount: tools?.length ?? null, checkedAt: new Date() }),
      );
      server.healthStatus = status;
      server.lastCheckedAt = new Date();
      server.lastError = error;
      if (tools) {
        server.tools = tools;
        server.toolsDiscoveredAt = new Date();
      }
      if (previous !== status) {
        await this.events.record({ ownerId: server.ownerId, type: 'health_changed', mcpServerId: server.id, data: { from: previous, to: status, ...(error ? { error } : {}) } });
      }
      return this.servers.save(server);
    }));
  }

  /**
   * One round of the schedule: each replica claims the servers whose last check is older than
   * `intervalMs` (SKIP LOCKED), so none is checked twice at once; answers how many it checked.
   */
  async checkDue(intervalMs: number): Promise<number> {
    try {
      const due = await ActingUser.system('MCP health checks: claim the servers due', () => this.servers.claimDueChecks(intervalMs, 20));
      // Each server is checked as its owner, with the owner's credentials and connection.
      for (const server of due) await ActingUser.run(server.ownerId, () => this.runCheck(server, server.ownerId));
      return due.length;
    } catch (err) {
      this.log.warn(describeError(err), 'scheduled MCP health checks failed; the next round retries');
      return 0;
    }
  }

  private async discover(server: McpServerEntity, ownerId: string, timeoutMs: number): Promise<DiscoveredTool[]> {
    const tools = await this.pool.listTools(this.sessionKey(server, ownerId), () => this.endpointFor(server, ownerId), this.toolsChanged(server), timeoutMs);
    return tools.map(toDiscovered);
  }

  /** `tools/list_changed`: the cached list is replaced by the one the SDK read again. */
  private toolsChanged(server: McpServerEntity): (tools: McpTool[]) => void {
    return (tools) => {
      this.saveTools(server, tools.map(toDiscovered)).catch((err: unknown) => this.log.warn(describeError(err), 'could not store the changed tool list'));
    };
  }

  /** The cached tools are the server's, its owner's row, whichever user's session found them. */
  private saveTools(server: McpServerEntity, tools: DiscoveredTool[]): Promise<void> {
    return ActingUser.run(server.ownerId, () => this.servers.saveTools(server.id, tools));
  }

  private sessionKey(server: McpServerEntity, ownerId: string): string {
    return `${server.id}:${ownerId}`;
  }

  /** The server's own credentials (sealed by its owner), plus the user's values for its slots. */
  private async endpointFor(server: McpServerEntity, ownerId: string): Promise<McpEndpoint> {
    const own = server.ownerId;
    const slots = ownerId === own && server.credentialSlots.length === 0 ? {} : await this.slotValues(server, ownerId);
    const slotOf = (target: 'header' | 'env') => Object.fromEntries(server.credentialSlots.filter((s) => s.target === target && slots[s.name] !== undefined).map((s) => [s.name, slots[s.name]]));
    if (server.transport === 'stdio') {
      const env = { ...this.secrets.openJson(server.envSealed, own, 'mcp_servers', server.id, 'env'), ...slotOf('env') };
      return { transport: 'stdio', command: server.command ?? '', args: server.args, env };
    }
    const headers = { ...this.secrets.openJson(server.headersSealed, own, 'mcp_servers', server.id, 'headers'), ...slotOf('header') };
    const bearer = server.oauthProvider ? await this.bearerFor(server, server.oauthProvider, ownerId) : undefined;
    return { transport: server.transport, url: server.url ?? '', headers, bearer };
  }

  /**
   * The user's connection for an OAuth server: for its owner the bound one while it exists, else
   * (another user of a shared server, or the bound one deleted) the user's connection of the same
   * provider for all their agents. Null when there is none.
   */
  private async connectionFor(server: McpServerEntity, provider: string, userId: string): Promise<ConnectionEntity | null> {
    if (userId === server.ownerId && server.connectionId) {
      const bound = await this.connections.findOwned(userId, server.connectionId);
      if (bound) return bound;
    }
    return (await this.connections.usableConnection(userId, null, provider)) ?? null;
  }

  /**
   * The user's token source for the session, its first token read now, so a missing or revoked
   * connection fails before anything is sent (NEEDS_AUTH). The token is kept until it nears expiry;
   * a 401 asks the connection for a new one.
   */
  private async bearerFor(server: McpServerEntity, provider: string, userId: string): Promise<BearerSource> {
    const connection = await this.connectionFor(server, provider, userId);
    if (!connection) throw McpServersErrors.needsAuth(provider, false);
    const ask = async (rejected?: string) => {
      try {
        return await this.connections.bearer(userId, connection.id, rejected);
      } catch (err) {
        if (err instanceof AppError && (err.code === ErrorCode.NOT_FOUND || err.code === ErrorCode.CONFLICT)) throw McpServersErrors.needsAuth(provider, err.code === ErrorCode.CONFLICT);
        throw err;
      }
    };
    let held = await ask();
    return {
      current: async () => {
        if (held.expiresAt !== null && held.expiresAt.getTime() <= Date.now() + 5000) held = await ask();
        return held.token;
      },
      renew: async (rejected) => {
        held = await ask(rejected);
        return held.token;
      },
    };
  }

  /** Why the viewer cannot use an OAuth server now (no connection, or a revoked one), without asking the provider; null when they can. */
  async authProblem(server: McpServerEntity, viewerId: string): Promise<string | null> {
    if (!server.oauthProvider) return null;
    const connection = await this.connectionFor(server, server.oauthProvider, viewerId);
    if (connection?.status === 'connected') return null;
    return McpServersErrors.needsAuth(server.oauthProvider, connection !== null).message;
  }

  private async slotValues(server: McpServerEntity, ownerId: string): Promise<Record<string, string>> {
    const row = await this.servers.findCredentials(server.id, ownerId);
    return row ? this.secrets.openJson(row.valuesSealed, ownerId, 'mcp_server_credentials', server.id) : {};
  }

  /**
   * A server as the viewer sees it. For an OAuth server the viewer's connection decides: without a
   * usable one it is needs_auth, saying what to do; with one, a needs_auth recorded earlier is
   * stale (unknown until the next check).
   */
  private async view(server: McpServerEntity, viewerId: string): Promise<McpServerView> {
    const credentials = server.credentialSlots.length > 0 ? await this.servers.findCredentials(server.id, viewerId) : null;
    const view = toMcpServerView(server, viewerId, credentials);
    const problem = await this.authProblem(server, viewerId);
    if (problem) return { ...view, healthStatus: 'needs_auth', lastError: problem };
    if (server.oauthProvider && view.healthStatus === 'needs_auth') return { ...view, healthStatus: 'unknown', lastError: null };
    return view;
  }

  private async requireVisible(ownerId: string, id: string): Promise<McpServerEntity> {
    const server = await this.servers.findVisible(ownerId, id);
    if (!server) throw McpServersErrors.notFound();
    return server;
  }

  private async requireOwn(ownerId: string, id: string): Promise<McpServerEntity> {
    const server = await this.requireVisible(ownerId, id);
    if (server.ownerId !== ownerId) throw McpServersErrors.notYours();
    return server;
  }

  /** Checks and applies the fields given (create and PATCH alike); secrets are sealed, never kept in clear. */
  private async applyFields(actor: Actor, server: McpServerEntity, fields: McpServerFields): Promise<void> {
    if (fields.name !== undefined) server.name = fields.name;
    if (fields.description !== undefined) server.description = fields.description;
    // The project belongs to the identity service: another user's (or none) is a bad projectId, as for agents.
    if (fields.projectId) await this.projects.assertOwned(actor, fields.projectId);
    if (fields.projectId !== undefined) server.projectId = fields.projectId;
    if (fields.transport !== undefined) server.transport = fields.transport;
    if (fields.url !== undefined) server.url = fields.url;
    if (fields.command !== undefined) server.command = fields.command;
    if (fields.args !== undefined) server.args = fields.args;
    if (fields.isEnabled !== undefined) server.isEnabled = fields.isEnabled;
    if (fields.isShared !== undefined) server.isShared = fields.isShared && actor.isSuperuser === true;
    if (fields.credentialSlots !== undefined) server.credentialSlots = fields.credentialSlots.map((s) => ({ name: s.name, target: s.target, description: s.description ?? null }));
    if (fields.connectionId !== undefined) {
      const connection = fields.connectionId === null ? null : await this.connections.findOwned(server.ownerId, fields.connectionId);
      if (fields.connectionId !== null && !connection) throw McpServersErrors.connectionNotFound();
      server.connectionId = connection?.id ?? null;
      server.oauthProvider = connection?.provider ?? null;
    }
    if (server.transport === 'stdio') {
      if (server.connectionId) throw McpServersErrors.notAllowed('connectionId', 'a stdio server cannot use an OAuth connection; give it environment values instead');
      if (!server.command) throw McpServersErrors.required('command', 'for a stdio server');
      if (!this.pool.isAllowedCommand(server.command)) throw McpServersErrors.commandNotAllowed(server.command);
      server.url = null;
    } else {
      if (!server.url) throw McpServersErrors.required('url', `for a ${server.transport} server`);
      const refused = await refusedAddress(this.policy, server.url);
      if (refused) throw McpServersErrors.badUrl(refused);
      server.command = null;
    }
    if (fields.env !== undefined) {
      const refused = Object.keys(fields.env).find(refusedEnvName);
      if (refused) throw McpServersErrors.refusedEnv(refused);
      server.envNames = Object.keys(fields.env).sort();
      server.envSealed = server.envNames.length > 0 ? this.secrets.sealJson(fields.env, server.ownerId, 'mcp_servers', server.id, 'env') : null;
    }
    if (fields.headers !== undefined) {
      server.headerNames = Object.keys(fields.headers).sort();
      server.headersSealed = server.headerNames.length > 0 ? this.secrets.sealJson(fields.headers, server.ownerId, 'mcp_servers', server.id, 'headers') : null;
    }
  }
}

function toDiscovered(tool: McpTool): DiscoveredTool {
  return {
    name: tool.name,
    description: tool.description ?? '',
    parameters: tool.inputSchema as Record<string, unknown>,
    idempotent: tool.annotations?.idempotentHint === true || tool.annotations?.readOnlyHint === true,
  };
}

/** What a failed connection says, without anything a header or URL query might hide (the SDK's messages carry neither). */
function safeError(err: unknown): string {
  if (err instanceof OutboundAddressError) return err.reason;
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/https?:\/\/[^\s"']+/g, (url) => {
    try {
      const parsed = new URL(url);
      return `${parsed.origin}${parsed.pathname}`;
    } catch {
      return '[url]';
    }
  }).slice(0, 500);
}
