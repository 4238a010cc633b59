import { acceptRequestId, describeError, RequestContext } from './index.js';

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
