import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { IntegrationConfig } from '#config';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { OutboundPolicy } from '#outbound';
import { INTEGRATION_CONFIG } from '../integration-config.module.js';

/**
 * Where an HTTP session's bearer token comes from (an OAuth connection): the token to send now, and
 * a new one after the server answered 401 to `rejected`.
 */
export interface BearerSource {
  current(): Promise<string>;
  renew(rejected: string): Promise<string>;
}

/** How to reach one server for one user: its transport with the credentials opened for this session only. */
export type McpEndpoint =
  | { transport: 'streamable_http' | 'sse'; url: string; headers: Record<string, string>; bearer?: BearerSource }
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string> };

/** Read only when a session opens: credentials are opened (and tokens fetched) once per session, not per call. */
export type EndpointOf = () => Promise<McpEndpoint>;

interface Session {
  client: Client;
  lastUsed: number;
  /** Calls in flight: a session is never stopped for idleness while it serves one. */
  busy: number;
}

/** Environment variables a server's own values may not set: they change how any program loads or runs. */
const REFUSED_ENV = /^(LD_|DYLD_|NODE_OPTIONS$|NODE_PATH$|PATH$|PYTHONPATH$|PYTHONSTARTUP$|BASH_ENV$|ENV$|PERL5OPT$|RUBYOPT$)/;

export function refusedEnvName(name: string): boolean {
  return REFUSED_ENV.test(name);
}

/**
 * Live MCP sessions, one per (server, user): an HTTP session or a stdio process. A stdio server
 * runs only an allowlisted command, without a shell, with the SDK's minimal environment (PATH, HOME,
 * USER, ...) plus its own values, never this service's. Idle sessions (and their processes) stop
 * after INTEGRATION_STDIO_IDLE_SECONDS. A server's `tools/list_changed` calls `onToolsChanged`.
 */
@Injectable()
export class McpClientPool implements OnModuleDestroy {
  private readonly sessions = new Map<string, Promise<Session>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(INTEGRATION_CONFIG) private readonly config: IntegrationConfig,
    private readonly policy: OutboundPolicy,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(30_000, this.config.stdioIdleSeconds * 500)).unref();
  }

  isAllowedCommand(command: string): boolean {
    return this.config.stdioCommands.includes(command);
  }

  /** The server's tools, read now. */
  async listTools(key: string, endpoint: EndpointOf, onToolsChanged: (tools: McpTool[]) => void, timeoutMs: number): Promise<McpTool[]> {
    return this.use(key, endpoint, onToolsChanged, async (client) => (await client.listTools(undefined, { timeout: timeoutMs })).tools);
  }

  async callTool(
    key: string,
    endpoint: EndpointOf,
    onToolsChanged: (tools: McpTool[]) => void,
    call: { name: string; args: Record<string, unknown>; timeoutMs: number; signal?: AbortSignal },
  ): Promise<CallToolResult> {
    return this.use(key, endpoint, onToolsChanged, async (client) =>
      (await client.callTool({ name: call.name, arguments: call.args }, undefined, { timeout: call.timeoutMs, signal: call.signal })) as CallToolResult,
    );
  }

  /** Ends the sessions of a server (it changed or went), for every user, or one user's. */
  async close(serverId: string, ownerId?: string): Promise<void> {
    const prefix = ownerId === undefined ? `${serverId}:` : `${serverId}:${ownerId}`;
    for (const key of [...this.sessions.keys()].filter((k) => k.startsWith(prefix))) await this.drop(key);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    for (const key of [...this.sessions.keys()]) await this.drop(key);
  }

  private async use<T>(key: string, endpoint: EndpointOf, onToolsChanged: (tools: McpTool[]) => void, work: (client: Client) => Promise<T>): Promise<T> {
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = this.open(endpoint, onToolsChanged);
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    const session = await pending;
    session.busy += 1;
    session.lastUsed = Date.now();
    try {
      return await work(session.client);
    } catch (err) {
      // A session the server forgot (restart, expiry) is opened afresh on the next call.
      if (!(err instanceof Error && /MCP error -32602|MCP error -32601/.test(err.message))) await this.drop(key);
      throw err;
    } finally {
      session.busy -= 1;
      session.lastUsed = Date.now();
    }
  }

  private async open(endpointOf: EndpointOf, onToolsChanged: (tools: McpTool[]) => void): Promise<Session> {
    const endpoint = await endpointOf();
    const client = new Client(
      { name: 'agent-platform', version: '1.0.0' },
      { listChanged: { tools: { onChanged: (error, tools) => (error || !tools ? undefined : onToolsChanged(tools)) } } },
    );
    await client.connect(this.transportFor(endpoint));
    return { client, lastUsed: Date.now(), busy: 0 };
  }

  private transportFor(endpoint: McpEndpoint): Transport {
    if (endpoint.transport === 'stdio') {
      if (!this.isAllowedCommand(endpoint.command)) throw new Error(`the command "${endpoint.command}" is not on INTEGRATION_STDIO_COMMANDS`);
      const env = Object.fromEntries(Object.entries(endpoint.env).filter(([name]) => !refusedEnvName(name)));
      return new StdioClientTransport({ command: endpoint.command, args: endpoint.args, env, stderr: 'ignore' });
    }
    const url = new URL(endpoint.url);
    const requestInit = { headers: endpoint.headers };
    const fetch = endpoint.bearer ? withBearer(this.policy.fetchFunction, endpoint.bearer) : this.policy.fetchFunction;
    return endpoint.transport === 'sse' ? new SSEClientTransport(url, { requestInit, fetch }) : new StreamableHTTPClientTransport(url, { requestInit, fetch });
  }

  private async drop(key: string): Promise<void> {
    const pending = this.sessions.get(key);
    this.sessions.delete(key);
    const session = await pending?.catch(() => undefined);
    await session?.client.close().catch(() => undefined);
  }

  private async sweep(): Promise<void> {
    const idleBefore = Date.now() - this.config.stdioIdleSeconds * 1000;
    for (const [key, pending] of [...this.sessions]) {
      const session = await pending.catch(() => undefined);
      if (session && session.busy === 0 && session.lastUsed < idleBefore) await this.drop(key);
    }
  }
}

/**
 * Every request of a session carries the connection's current token. A 401 is answered once more
 * with a renewed token (the connection refreshed, once however many requests were refused); the
 * SDK sees the second answer. Requests the SDK sends have string bodies, so one can be sent again.
 */
function withBearer(fetch: FetchLike, bearer: BearerSource): FetchLike {
  const send = (url: string | URL, init: RequestInit | undefined, token: string) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(url, { ...init, headers });
  };
  return async (url, init) => {
    const token = await bearer.current();
    const res = await send(url, init, token);
    if (res.status !== 401) return res;
    await res.body?.cancel().catch(() => undefined);
    return send(url, init, await bearer.renew(token));
  };
}
