import { randomUUID } from 'node:crypto';
import { Cluster, createTestDatabase, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Top-level string properties of the JSON body, when it declares one. */
  bodyStrings: string[];
  hasBody: boolean;
}

const DEEP = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
const PATH_VALUES = [randomUUID(), 'x'.repeat(300), 'a%00b', '%ED%A0%80', '..%2F..%2Fetc', '1e400'];
const QUERY_VALUES = ['a%00b', '%ED%A0%80', 'x'.repeat(5000), '-99999999999999999999'];
/** Operations fuzzed at once: enough to keep the services busy, few enough not to trip rate limits or timeouts. */
const CONCURRENCY = 4;

/**
 * Every route of the OpenAPI document, sent the inputs that have broken platforms like ours: NULs
 * and lone surrogates in paths, queries and body fields, JSON nested 5,000 deep, overlong ids,
 * wrong types, broken JSON, other media types. The platform may refuse each one as it likes, but
 * never with a 5xx, and no service logs an error for any of them.
 */
describe('fuzz: every documented route against hostile input', () => {
  let cluster: Cluster;
  let user: TestUser;
  let operations: Operation[];
  const statuses = new Map<number, number>();
  const failures: string[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start({
      databaseUrl: await createTestDatabase('fuzz'),
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('fuzz'),
      // A slow answer on a loaded machine (504) is not what this test looks for: give requests time.
      env: { LOG_FORMAT: 'json', REQUEST_TIMEOUT_MS: '30000', RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_REGISTER_PER_IP: '1000', RATE_LIMIT_LOGIN_PER_IP: '100000', RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000' },
    });
    user = await registerUser(cluster.api);
    const document = (await cluster.api.get('/docs/openapi.json')).body as OpenApiDocument;
    operations = operationsOf(document);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const send = async (label: string, method: string, path: string, options: { raw?: string; contentType?: string; token?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (options.raw !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await cluster.api.request(method, path, { raw: options.raw, token: options.token ?? user.accessToken, headers });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) failures.push(`${label}: ${method} ${path.slice(0, 120)} -> ${res.status} ${res.text.slice(0, 200)}`);
  };

  it('answers every case without a 5xx and without an error log line', async () => {
    expect(operations.length).toBeGreaterThan(50);
    // Never end the account or its session: the rest of the run needs them.
    const fuzzed = operations.filter((op) => !(op.method === 'DELETE' && op.path === '/api/v1/me') && op.path !== '/api/v1/auth/logout');
    const fuzz = async (op: Operation) => {
      const fill = (value: string) => op.path.replace(/\{[^}]+\}/g, value);
      const valid = fill(randomUUID());
      for (const value of op.pathParams.length > 0 ? PATH_VALUES : []) await send('path', op.method, fill(value), op.hasBody ? { raw: '{}' } : {});
      for (const name of op.queryParams) {
        for (const value of QUERY_VALUES) await send(`query ${name}`, op.method, `${valid}?${name}=${value}`);
        await send(`query ${name} repeated`, op.method, `${valid}?${name}=1&${name}=2`);
      }
      if (op.method === 'GET' || op.method === 'DELETE') {
        await send('unknown query', op.method, `${valid}?zz%00=1`);
        return;
      }
      for (const raw of ['', '{', 'null', '[]', '"text"', '1e400', DEEP, '{"__proto__":{"admin":true}}', '{"a":"\\u0000"}']) await send(`body ${raw.slice(0, 20)}`, op.method, valid, { raw });
      await send('form body', op.method, valid, { raw: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' });
      await send('text body', op.method, valid, { raw: '{}', contentType: 'text/plain' });
      for (const field of op.bodyStrings) {
        for (const bad of ['"a\\u0000b"', '"\\ud800"', '{"nested":true}', '12345678901234567890']) {
          await send(`body field ${field}`, op.method, valid, { raw: `{"${field}":${bad}}` });
        }
      }
    };
    const queue = [...fuzzed];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let op = queue.shift(); op; op = queue.shift()) await fuzz(op);
      }),
    );
    // Without a credential too: the edge must refuse, not break, before authentication.
    for (const op of operations) await send('anonymous', op.method, op.path.replace(/\{[^}]+\}/g, 'a%00b'), { token: 'not-a-token' });

    const errorLines = [...cluster.apps.values()].flatMap((app) =>
      app.output
        .split('\n')
        .filter((line) => /"level":"(error|fatal)"/.test(line))
        .map((line) => `${app.name}: ${line.slice(0, 300)}`),
    );
    const counts = Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b));
    console.info(`fuzz: ${operations.length} operations, ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, by status ${JSON.stringify(counts)}`);
    expect(failures).toEqual([]);
    expect(errorLines).toEqual([]);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  }, 600_000);
});

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: SchemaRef }> } }>>;
  components?: { schemas?: Record<string, SchemaRef> };
}
interface SchemaRef {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaRef>;
}

function operationsOf(document: OpenApiDocument): Operation[] {
  const resolve = (schema: SchemaRef | undefined): SchemaRef | undefined =>
    schema?.$ref ? document.components?.schemas?.[schema.$ref.split('/').pop() as string] : schema;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const schema = resolve(op.requestBody?.content?.['application/json']?.schema);
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyStrings: Object.entries(schema?.properties ?? {})
          .filter(([, property]) => resolve(property)?.type === 'string')
          .map(([name]) => name),
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  return operations;
}
