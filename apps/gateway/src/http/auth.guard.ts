import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import { AccessTokens, InvalidTokenError } from '#auth';
import type { FastifyRequest } from 'fastify';
import { clientOf } from './actor.js';

/** Accepts `Authorization: Bearer <access token>`; sets request.actor from the verified claims. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly tokens: AccessTokens) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header) : null;
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'send an access token as "Authorization: Bearer <token>"');
    try {
      const claims = await this.tokens.verify(match[1]);
      request.actor = { kind: 'user', userId: claims.userId, isSuperuser: claims.isSuperuser, scopes: claims.scopes, ...clientOf(request) };
      return true;
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, err.reason === 'expired' ? 'access token expired; refresh it' : 'access token is invalid');
      }
      throw err;
    }
  }
}
