import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '#contracts';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export function clientOf(request: FastifyRequest): Pick<Actor, 'ip' | 'userAgent'> {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent.slice(0, 512) : undefined };
}

/** The verified caller (set by AuthGuard), or an anonymous actor with the client's address. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return request.actor ?? { kind: 'anonymous', ...clientOf(request) };
});
