import { Readable } from 'node:stream';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/**
 * Marks a route whose handler needs the body's exact bytes (a signature is computed over them).
 * Only such routes pay for the copy; every other body is parsed straight from the stream.
 */
export const KeepRawBody = () => RouteConfig({ rawBody: true });

/** The exact bytes of the body of a route marked with KeepRawBody (empty when there was none). */
export const RawBody = createParamDecorator((_: unknown, context: ExecutionContext): Buffer => context.switchToHttp().getRequest<FastifyRequest>().rawBody ?? Buffer.alloc(0));

/**
 * Reads the body of KeepRawBody routes once, within the body limit, keeps the bytes on the
 * request, and hands the same bytes on to Fastify's own parser (JSON rules and errors unchanged).
 */
export function keepRawBodies(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if ((request.routeOptions.config as { rawBody?: boolean } | undefined)?.rawBody !== true) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      size += (chunk as Buffer).length;
      if (size > bodyLimitBytes) throw Object.assign(new Error('request body is larger than the configured limit'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
      chunks.push(chunk as Buffer);
    }
    request.rawBody = Buffer.concat(chunks);
    const copy = Readable.from([request.rawBody]) as Readable & { receivedEncodedLength?: number };
    copy.receivedEncodedLength = request.rawBody.length;
    return copy;
  });
}
