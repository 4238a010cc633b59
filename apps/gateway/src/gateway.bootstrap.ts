import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { PlatformConfig } from '#config';
import type { Broadcast, BusClient } from '#messaging';
import { acceptRequestId, JsonLogger, Metrics, rootLogger } from '#observability';
import { GatewayModule } from './gateway.module.js';
import { finishOpenApiDocument, operationIdOf } from './http/openapi.js';
import { runInRequestContext } from './http/request-context.js';
import { traceRequests } from './http/request-telemetry.js';
import { keepRawBodies } from './http/raw-body.js';
import { MCP_ROUTES } from './mcp/mcp.module.js';
import { METRICS_ROUTES } from './metrics/metrics.module.js';
import { OPENAI_ROUTES } from './openai/openai.module.js';
import { PLAYGROUND_ROUTES } from './playground/playground.module.js';

export const API_PREFIX = 'api/v1';
/** Where a person can try an agent in a browser: the playground page. */
export const PLAYGROUND_PATH = '/';

export async function createGateway(config: PlatformConfig, bus: BusClient, broadcast?: Broadcast): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Per-IP throttling and the audit log need the client's address, not the ingress's.
    // (Fastify takes a hop count too; the adapter's type omits it.)
    trustProxy: config.trustProxy as boolean | string[],
    logger: false,
    requestIdHeader: false,
    // Longer than any URL Node accepts, so an overlong id reaches validation (400 problem+json
    // naming the field) instead of the router's own 414, which echoes the path.
    routerOptions: { maxParamLength: 65_536 },
    // A client may send its own id to follow a request through our logs; anything odd is replaced.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => acceptRequestId(request.headers['x-request-id']),
  });
  // bodyParser false: no form-encoded parser. Fastify's own JSON parser (body limit, prototype
  // poisoning refused) is the only one, so any other media type gets 415.
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, bus, broadcast), adapter, { logger: new JsonLogger(), bodyParser: false });
  app.setGlobalPrefix(API_PREFIX, { exclude: [...PLAYGROUND_ROUTES, ...METRICS_ROUTES, ...OPENAI_ROUTES, ...MCP_ROUTES] });
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  const log = rootLogger().child({ component: 'http' });
  // A graceful stop (SIGTERM, a rolling restart) ends every keep-alive connection with its
  // current response; otherwise the server would wait for clients to close them (up to the
  // keep-alive timeout) and the stop would be cut short by the process's 10 s limit.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  traceRequests(fastify);
  runInRequestContext(fastify);
  fastify.addHook('onResponse', async (request, reply) => {
    // The route template (never the path, which holds ids); requests no route matched share one label.
    Metrics.httpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    const traceId = request.span?.spanContext().traceId;
    log.info({ requestId: request.id, ...(traceId ? { traceId } : {}), method: request.method, path: request.url.split('?')[0].slice(0, 256), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  keepRawBodies(fastify, config.bodyLimitBytes);
  // JSON only: other media types get 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');

  const document = finishOpenApiDocument(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Agent Platform API')
        .setDescription('Define agents, talk to them, run them durably. Errors are RFC 9457 problem+json with a stable `code`.')
        .setVersion('1')
        .addServer('/', 'This gateway')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An access token (JWT from /auth/login or /auth/refresh) or an API key (ap_live_...)' })
        .build(),
      { operationIdFactory: operationIdOf },
    ),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

export async function listenGateway(app: NestFastifyApplication, config: PlatformConfig): Promise<string> {
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://localhost:${port}`;
}
