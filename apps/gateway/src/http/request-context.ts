import type { FastifyInstance } from 'fastify';
import { RequestContext } from '#observability';

/**
 * Runs the rest of every request (guards, pipes, the handler and every bus request they send)
 * inside the request's context, so bus requests and log lines carry its id. A Fastify hook rather
 * than a Nest interceptor: with no interceptor at all, Nest calls the handler directly instead of
 * through an Observable chain per request.
 */
export function runInRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => {
    RequestContext.run(request.id, done);
  });
}
