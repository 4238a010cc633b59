import type { FastifyInstance } from 'fastify';
import { type Span, SpanKind, Tracing } from '#observability';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span, when tracing is on. */
    span?: Span;
  }
}

/**
 * One server span per HTTP request, continuing a caller's W3C traceparent, named by the route
 * template. It is made active in preHandler (after the body is read, so the context survives body
 * parsing) by calling `done` inside it: guards, the handler and every bus request they send run in
 * it. With tracing off no hook is added at all.
 */
export function traceRequests(fastify: FastifyInstance): void {
  if (!Tracing.enabled) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    request.span = Tracing.startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      parent: Tracing.extract(request.headers as Record<string, string>),
      attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0].slice(0, 256), ...(route ? { 'http.route': route } : {}) },
    });
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    Tracing.withSpan(request.span, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = request.span;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setAttribute('error.type', String(reply.statusCode));
      span.end();
    }
    done();
  });
}
