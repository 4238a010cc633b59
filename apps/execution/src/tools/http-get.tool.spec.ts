import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundPolicy } from '#outbound';
import { HttpGetTool } from './http-get.tool.js';
import { ToolInputError, type ToolContext } from './tool.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function listen(handler: Handler): Promise<{ server: Server; host: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

const context = (signal = new AbortController().signal): ToolContext => ({ ownerId: 'o', runId: 'r', signal });

describe('http_get', () => {
  let server: Server;
  let host: string;
  /** A second server reached as "localhost", which is not allowlisted. */
  let other: Server;
  let otherHost: string;
  const seenHeaders: IncomingMessage['headers'][] = [];

  beforeAll(async () => {
    ({ server, host } = await listen((req, res) => {
      seenHeaders.push(req.headers);
      switch (req.url) {
        case '/text':
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello');
          return;
        case '/json':
          res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"error":"nope"}');
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
          return;
        case '/png':
          res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(100));
          return;
        case '/slow':
          // Headers never arrive; the client must give up on its own.
          setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late'), 2000).unref();
          return;
        case '/redirect-ok':
          res.writeHead(302, { location: '/text' }).end();
          return;
        case '/redirect-out':
          res.writeHead(301, { location: `http://${otherHost}/secret` }).end();
          return;
        case '/loop':
          res.writeHead(307, { location: '/loop' }).end();
          return;
        default:
          res.writeHead(500).end();
      }
    }));
    ({ server: other } = await listen((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('secret')));
    otherHost = `localhost:${(other.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    other.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
  });

  const tool = (options: Partial<ConstructorParameters<typeof HttpGetTool>[0]> = {}) => new HttpGetTool({ allowlist: [host], policy: new OutboundPolicy({ allowInternal: true }), ...options });

  it('fetches text from an allowlisted host without sending cookies or credentials', async () => {
    seenHeaders.length = 0;
    await expect(tool().execute({ url: `http://${host}/text` }, context())).resolves.toBe('HTTP 200\nhello');
    expect(seenHeaders[0].cookie).toBeUndefined();
    expect(seenHeaders[0].authorization).toBeUndefined();
  });

  it('returns JSON bodies and non-2xx statuses as text', async () => {
    await expect(tool().execute({ url: `http://${host}/json` }, context())).resolves.toBe('HTTP 404\n{"error":"nope"}');
  });

  it('refuses hosts outside the allowlist', async () => {
    const result = tool().execute({ url: `http://${otherHost}/secret` }, context());
    await expect(result).rejects.toThrow(ToolInputError);
    await expect(result).rejects.toThrow(/host "localhost:\d+" is not in the allowlist/);
  });

  it('refuses non-http schemes, relative URLs and embedded credentials', async () => {
    await expect(tool().execute({ url: 'file:///etc/passwd' }, context())).rejects.toThrow(/must use http or https/);
    await expect(tool().execute({ url: '/text' }, context())).rejects.toThrow(/not an absolute URL/);
    await expect(tool().execute({ url: `http://u:p@${host}/text` }, context())).rejects.toThrow(/must not contain credentials/);
    await expect(tool().execute({ url: 3 }, context())).rejects.toThrow(ToolInputError);
  });

  it('follows a redirect within the allowlist', async () => {
    await expect(tool().execute({ url: `http://${host}/redirect-ok` }, context())).resolves.toBe('HTTP 200\nhello');
  });

  it('refuses a redirect to a host outside the allowlist', async () => {
    const result = tool().execute({ url: `http://${host}/redirect-out` }, context());
    await expect(result).rejects.toThrow(ToolInputError);
    await expect(result).rejects.toThrow(/redirect target host "localhost:\d+" is not in the allowlist/);
  });

  it('stops after 3 redirects', async () => {
    const result = tool().execute({ url: `http://${host}/loop` }, context());
    await expect(result).rejects.toThrow(/more than 3 redirects/);
    await expect(result).rejects.not.toThrow(ToolInputError);
  });

  it('truncates a body larger than maxBytes', async () => {
    await expect(tool({ maxBytes: 100 }).execute({ url: `http://${host}/big` }, context())).resolves.toBe(
      `HTTP 200\n${'x'.repeat(100)}\n[truncated: body exceeds 100 bytes]`,
    );
  });

  it('does not return non-text bodies', async () => {
    await expect(tool().execute({ url: `http://${host}/png` }, context())).resolves.toBe(
      'HTTP 200\n[body not shown: content type image/png is not text]',
    );
  });

  it('times out', async () => {
    const result = tool({ timeoutMs: 100 }).execute({ url: `http://${host}/slow` }, context());
    await expect(result).rejects.toThrow(/did not answer within 100 ms/);
    await expect(result).rejects.not.toThrow(ToolInputError);
  });

  it('stops when the run is aborted and passes the abort reason on', async () => {
    const controller = new AbortController();
    const result = tool().execute({ url: `http://${host}/slow` }, context(controller.signal));
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    await expect(result).rejects.toThrow('run cancelled');
  });

  it('is disabled with an empty allowlist', async () => {
    await expect(new HttpGetTool({ allowlist: [' '] }).execute({ url: `http://${host}/text` }, context())).rejects.toThrow(
      new ToolInputError('http_get is disabled: set EXECUTION_HTTP_TOOL_ALLOWLIST'),
    );
  });

  it('refuses an allowlisted host that resolves to an internal address, unless the operator allows internal addresses', async () => {
    const [, port] = host.split(':');
    const refused = new HttpGetTool({ allowlist: [`localhost:${port}`] }).execute({ url: `http://localhost:${port}/text` }, context());
    await expect(refused).rejects.toThrow(ToolInputError);
    await expect(refused).rejects.toThrow(/internal address/);
    const allowed = new HttpGetTool({ allowlist: [`localhost:${port}`], policy: new OutboundPolicy({ allowInternal: false, internalAllowlist: [`localhost:${port}`] }) });
    await expect(allowed.execute({ url: `http://localhost:${port}/text` }, context())).resolves.toMatch(/^HTTP 200/);
  });
});
