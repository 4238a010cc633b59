import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '#config';
import { InProcessBus, InProcessBusClient } from '#messaging';
import { createGateway } from '../src/gateway.bootstrap.js';
import { REQUEST_EXAMPLES } from '../src/http/openapi.js';

const run = promisify(execFile);

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface Document {
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; headers?: Record<string, unknown> };
}

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

/**
 * The published OpenAPI document, as GET /docs/openapi.json serves it, linted by Redocly's CLI
 * (a devDependency; it runs offline, with its telemetry and update check off) with its
 * recommended rules: zero errors. Then what the lint cannot know: readable operationIds, the
 * problem schema referenced instead of inlined, public routes saying `security: []`, Retry-After
 * on 429 and 503, the run event stream's own schema, and examples on the main requests.
 */
describe('the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: Document;
  let text: string;
  const operations: Array<{ method: string; path: string; operation: Operation }> = [];

  beforeAll(async () => {
    const config = loadConfig({ JWT_SECRET: 'openapi-spec-secret-0123456789abcdef' });
    app = await createGateway(config, new InProcessBusClient(InProcessBus.shared(), 1000));
    await app.init();
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    text = res.body;
    document = JSON.parse(text) as Document;
    for (const [path, item] of Object.entries(document.paths)) for (const [method, operation] of Object.entries(item)) operations.push({ method, path, operation });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('passes Redocly lint with zero errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, text);
      const result = await run(process.execPath, [join(process.cwd(), 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--format=json'], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { totals: { errors: number }; problems: LintProblem[] };
      const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(errors).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every operation with a unique, readable operationId and gives it a summary', () => {
    const ids = operations.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, operation } of operations) {
      expect({ at: `${method} ${path}`, id: operation.operationId }).toEqual({ at: `${method} ${path}`, id: expect.stringMatching(/^[a-z]+[A-Z][A-Za-z]*$|^(login|logout|register)$/) });
      expect(operation.summary?.trim().length ?? 0).toBeGreaterThan(0);
    }
    const byId = new Map(operations.map((o) => [o.operation.operationId, `${o.method.toUpperCase()} ${o.path}`]));
    expect(byId.get('createAgent')).toBe('POST /api/v1/agents');
    expect(byId.get('listAgents')).toBe('GET /api/v1/agents');
    expect(byId.get('getAgentVersion')).toBe('GET /api/v1/agents/{id}/versions/{version}');
    expect(byId.get('runAgent')).toBe('POST /api/v1/agents/{id}/runs');
    expect(byId.get('getMetrics')).toBe('GET /metrics');
  });

  it('declares the problem schema once and references it from every error reply', () => {
    expect(document.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status', 'detail', 'code'] });
    let references = 0;
    for (const { operation } of operations) {
      for (const response of Object.values(operation.responses)) {
        const problem = response.content?.['application/problem+json'];
        if (!problem) continue;
        expect(problem.schema).toEqual({ $ref: '#/components/schemas/Problem' });
        references++;
      }
    }
    expect(references).toBeGreaterThan(100);
    expect(text.match(/"required":\["type","title","status","detail","code"\]/g)).toHaveLength(1);
  });

  it('requires the bearer credential by default and says `security: []` on the public routes', () => {
    expect(document.security).toEqual([{ bearer: [] }]);
    const publicIds = operations.filter((o) => Array.isArray(o.operation.security) && o.operation.security.length === 0).map((o) => o.operation.operationId);
    expect(publicIds).toEqual(expect.arrayContaining(['login', 'register', 'getLiveness', 'getReadiness', 'runPublicWorkflow', 'deliverWorkflowWebhook', 'getMetrics']));
    const guarded = operations.find((o) => o.operation.operationId === 'createAgent')?.operation;
    expect(guarded?.security).toEqual([{ bearer: [] }]);
    for (const { operation } of operations) expect(Array.isArray(operation.security)).toBe(true);
  });

  it('documents Retry-After on every 429 and 503', () => {
    expect(document.components.headers?.RetryAfter).toMatchObject({ schema: { type: 'integer' } });
    let seen = 0;
    for (const { operation } of operations) {
      for (const status of ['429', '503']) {
        const response = operation.responses[status];
        if (!response) continue;
        expect(response.headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('documents the run event stream with its event types, not as a run', () => {
    const stream = document.components.schemas.RunStreamEvent as { properties: { event: { enum: string[] } } };
    expect(stream.properties.event.enum).toEqual(expect.arrayContaining(['run.queued', 'step.started', 'token', 'run.completed', 'run.failed', 'node.started', 'error']));
    for (const id of ['runAgent', 'runWorkflow', 'addConversationMessage', 'streamRunEvents']) {
      const operation = operations.find((o) => o.operation.operationId === id)?.operation as Operation;
      expect({ id, schema: operation.responses['200'].content?.['text/event-stream']?.schema }).toEqual({ id, schema: { $ref: '#/components/schemas/RunStreamEvent' } });
    }
    const runAgent = operations.find((o) => o.operation.operationId === 'runAgent')?.operation as Operation;
    expect(runAgent.responses['200'].content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/RunView' });
    expect(runAgent.responses['202'].content?.['text/event-stream']).toBeUndefined();
  });

  it('shows examples on the main requests', () => {
    for (const id of Object.keys(REQUEST_EXAMPLES)) {
      const operation = operations.find((o) => o.operation.operationId === id)?.operation;
      expect({ id, examples: Object.keys(operation?.requestBody?.content['application/json']?.examples ?? {}) }).toEqual({ id, examples: Object.keys(REQUEST_EXAMPLES[id]) });
    }
    expect(Object.keys(REQUEST_EXAMPLES)).toEqual(expect.arrayContaining(['createAgent', 'runAgent', 'login', 'register']));
  });
});
