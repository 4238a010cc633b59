import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';

export interface McpTestCall {
  tool: string;
  args: Record<string, unknown>;
  /** The Authorization header the call came with (HTTP transports). */
  authorization: string | undefined;
}

/**
 * A real MCP server built with the SDK, for tests: Streamable HTTP at /mcp, the older HTTP+SSE at
 * /sse (+ /messages), or stdio (`McpTestServer.serveStdio()`, see mcp-test-server-stdio.ts). Tools:
 * `echo` (read-only, so idempotent), `slow` (waits `ms`, not idempotent), `fail` (answers an error),
 * and `add_tool`, which adds a tool and announces `notifications/tools/list_changed`. Every call is
 * counted when it arrives, so a call cut short by a crash still counts once.
 */
export class McpTestServer {
  readonly calls: McpTestCall[] = [];
  private readonly extraTools: string[] = [];
  private readonly servers = new Set<Server>();
  private http: http.Server | undefined;
  private readonly streamable = new Map<string, StreamableHTTPServerTransport>();
  private readonly sse = new Map<string, SSEServerTransport>();
  /** When set, HTTP requests without `authorization: Bearer <token>` are answered 401. */
  requiredToken: string | undefined;
  /**
   * When set, an HTTP request's bearer token must pass it (e.g. a FakeOAuthProvider's
   * isValidAccessToken: a protected resource of that authorization server), else 401.
   */
  acceptToken: ((token: string) => boolean) | undefined;
  /** Requests answered 401 so far. */
  refusedCount = 0;

  static async start(options: { requiredToken?: string; acceptToken?: (token: string) => boolean } = {}): Promise<McpTestServer> {
    const server = new McpTestServer();
    server.requiredToken = options.requiredToken;
    server.acceptToken = options.acceptToken;
    await server.listen();
    return server;
  }

  /** Serves one session on this process's stdin/stdout (the stdio entry point). */
  static async serveStdio(): Promise<void> {
    const test = new McpTestServer();
    await test.newServer().connect(new StdioServerTransport());
  }

  get port(): number {
    return (this.http?.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  get sseUrl(): string {
    return `http://127.0.0.1:${this.port}/sse`;
  }

  callCount(tool?: string): number {
    return tool === undefined ? this.calls.length : this.calls.filter((c) => c.tool === tool).length;
  }

  reset(): void {
    this.calls.length = 0;
    this.extraTools.length = 0;
  }

  /** Adds a tool and tells every connected client that the list changed. */
  async addTool(name: string): Promise<void> {
    this.extraTools.push(name);
    await Promise.all([...this.servers].map((s) => s.sendToolListChanged().catch(() => undefined)));
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server.close().catch(() => undefined);
    this.http?.closeAllConnections();
    await new Promise((r) => (this.http ? this.http.close(r) : r(undefined)));
  }

  private tools(): Tool[] {
    const object = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object' as const, properties, required });
    return [
      { name: 'echo', description: 'Answers the text it is given', inputSchema: object({ text: { type: 'string' } }, ['text']), annotations: { readOnlyHint: true } },
      { name: 'slow', description: 'Waits ms milliseconds, then answers', inputSchema: object({ ms: { type: 'integer' } }), annotations: { idempotentHint: false } },
      { name: 'fail', description: 'Always fails', inputSchema: object({}) },
      { name: 'add_tool', description: 'Adds a tool named extra_<name>', inputSchema: object({ name: { type: 'string' } }, ['name']) },
      ...this.extraTools.map((name) => ({ name: `extra_${name}`, description: `An added tool ${name}`, inputSchema: object({}), annotations: { readOnlyHint: true } })),
    ];
  }

  private newServer(authorization?: () => string | undefined): Server {
    const server = new Server({ name: 'mcp-test-server', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: this.tools() }));
    server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
      const args = (request.params.arguments ?? {}) as Record<string, unknown>;
      const tool = request.params.name;
      this.calls.push({ tool, args, authorization: authorization?.() });
      switch (tool) {
        case 'echo':
          return { content: [{ type: 'text', text: String(args.text ?? '') }] };
        case 'slow': {
          const ms = typeof args.ms === 'number' ? args.ms : 1000;
          await new Promise((r) => setTimeout(r, ms));
          return { content: [{ type: 'text', text: `waited ${ms} ms` }] };
        }
        case 'fail':
          return { content: [{ type: 'text', text: 'it failed on purpose' }], isError: true };
        case 'add_tool':
          await this.addTool(String(args.name ?? 'x'));
          return { content: [{ type: 'text', text: `added extra_${String(args.name ?? 'x')}` }] };
        default:
          if (this.extraTools.some((name) => `extra_${name}` === tool)) return { content: [{ type: 'text', text: `${tool} ran` }] };
          return { content: [{ type: 'text', text: `no tool ${tool}` }], isError: true };
      }
    });
    this.servers.add(server);
    server.onclose = () => this.servers.delete(server);
    return server;
  }

  private async listen(): Promise<void> {
    let lastAuthorization: string | undefined;
    this.http = http.createServer((req, res) => {
      const authorization = req.headers.authorization;
      const presented = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
      if ((this.requiredToken !== undefined && presented !== this.requiredToken) || (this.acceptToken !== undefined && (presented === undefined || !this.acceptToken(presented)))) {
        this.refusedCount += 1;
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' }).end(JSON.stringify({ error: 'invalid_token' }));
        return;
      }
      lastAuthorization = authorization;
      void this.route(req, res, () => lastAuthorization).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((r) => this.http?.listen(0, '127.0.0.1', r));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, authorization: () => string | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/mcp') {
      const sessionId = req.headers['mcp-session-id'];
      let transport = typeof sessionId === 'string' ? this.streamable.get(sessionId) : undefined;
      if (!transport) {
        if (typeof sessionId === 'string') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
          return;
        }
        const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void this.streamable.set(id, created) });
        created.onclose = () => {
          if (created.sessionId) this.streamable.delete(created.sessionId);
        };
        await this.newServer(authorization).connect(created);
        transport = created;
      }
      await transport.handleRequest(req, res);
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res);
      this.sse.set(transport.sessionId, transport);
      res.on('close', () => this.sse.delete(transport.sessionId));
      await this.newServer(authorization).connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = this.sse.get(url.searchParams.get('sessionId') ?? '');
      if (!transport) {
        res.writeHead(404).end('no such session');
        return;
      }
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(404).end();
  }
}
