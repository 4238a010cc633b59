import { acceptRequestId, createRootLogger, describeError, RequestContext } from './index.js';
import { jest } from '@jest/globals';

describe('request ids', () => {
  it('accepts a short, plain client id and replaces anything else', () => {
    expect(acceptRequestId('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    for (const bad of ['', 'a'.repeat(129), 'line\nbreak', '{"json":1}', undefined, ['a', 'b']]) {
      const id = acceptRequestId(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('follows a request through awaits', async () => {
    const seen = await RequestContext.run('req-9', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return RequestContext.requestId();
    });
    expect(seen).toBe('req-9');
    expect(RequestContext.requestId()).toBeUndefined();
  });
});

describe('describeError', () => {
  it('keeps class, code and message but never the stack, a query or credentials in a URL', () => {
    const err = Object.assign(new Error('connect failed for postgres://admin:hunter2@db:5432/x'), { code: 'ECONNREFUSED', query: 'SELECT secret', parameters: ['p'] });
    const described = describeError(err);
    expect(described).toEqual({ error: 'Error', code: 'ECONNREFUSED', message: 'connect failed for postgres://***@db:5432/x' });
    expect(JSON.stringify(described)).not.toMatch(/hunter2|SELECT|\n\s+at /);
  });
});

describe('the pretty log format', () => {
  it('writes one readable line per entry: no level for info, fields the message does not already say, secrets redacted', () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    process.env.NO_COLOR = '1'; // plain text even when the tests run at a terminal
    try {
      const log = createRootLogger('info', { app: 'platform' }, 'pretty');
      log.info({ api: 'http://localhost:3000/api/v1' }, 'up: API at http://localhost:3000/api/v1');
      log.warn({ attempt: 2, password: 'hunter2' }, 'not reachable yet');
      log.debug('not shown at info');
    } finally {
      delete process.env.NO_COLOR;
      write.mockRestore();
      createRootLogger('silent');
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d up: API at http:\/\/localhost:3000\/api\/v1\n$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN not reachable yet attempt=2 password=\[redacted\]\n$/);
  });

  it('keeps JSON lines by default', () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      createRootLogger('info', { app: 'gateway' }).info({ port: 3000 }, 'listening');
    } finally {
      write.mockRestore();
      createRootLogger('silent');
    }
    expect(JSON.parse(lines.join(''))).toMatchObject({ level: 'info', app: 'gateway', port: 3000, msg: 'listening' });
  });
});
