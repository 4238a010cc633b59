import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessContracts, AppError, ErrorCode, serviceActor, type VerifyCredentialRequest } from '#contracts';
import { AccessTokens, InvalidTokenError } from '#auth';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyRequest } from 'fastify';
import { clientOf } from './actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** How the caller proved who it is: the session of an access token, or an API key. */
    credential?: { sessionId?: string; apiKeyId?: string };
  }
}

/** API keys carry this prefix (see identity's api-key codec); anything else is taken for a JWT. */
const API_KEY_PREFIX = 'ap_live_';
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SCOPE_BY_ROUTE = Symbol('scope checked by the route');

/**
 * For a protocol that reads and writes through the same POST (MCP's JSON-RPC): the guard lets a
 * read-only key through whatever the method, and the route refuses it what would change anything.
 */
export const ScopeCheckedByRoute = () => SetMetadata(SCOPE_BY_ROUTE, true);

/** True when the verified caller may change things (an access token, or a key with the `full` scope). */
export function mayWrite(scopes: readonly string[] | undefined): boolean {
  return scopes?.includes('full') === true;
}

/**
 * Accepts `Authorization: Bearer <access token or API key>` and sets request.actor.
 *
 * Every request asks identity (one bus request) whether the credential is still good: that is what
 * makes a logout, a revoked or expired key and a deactivated account stop working on the very next
 * request on every gateway replica, where a local cache would keep answering yes. Identity also
 * counts the user's request budget in the same call. An access token's signature and claims are
 * checked here first, so forged or expired tokens never reach identity.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: AccessTokens,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header) : null;
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'send an access token or API key as "Authorization: Bearer <token>"');
    const presented = match[1];
    const credential: VerifyCredentialRequest = presented.startsWith(API_KEY_PREFIX) ? { apiKey: presented } : await this.claimsOf(presented);
    const client = clientOf(request);
    const verified = await this.bus.request(AccessContracts.verifyCredential, credential, { actor: { ...serviceActor('gateway'), ...client } }).catch((err: unknown) => {
      // A credential identity cannot even parse (an over-long key, say) is a bad credential, not a bad request.
      if (err instanceof AppError && err.code === ErrorCode.VALIDATION_FAILED) throw new AppError(ErrorCode.UNAUTHENTICATED, 'the credential is invalid');
      throw err;
    });
    request.actor = { kind: 'user', userId: verified.userId, isSuperuser: verified.isSuperuser, scopes: verified.scopes, ...client };
    request.credential = { sessionId: verified.sessionId, apiKeyId: verified.apiKeyId };
    const scopeByRoute = this.reflector.getAllAndOverride<boolean | undefined>(SCOPE_BY_ROUTE, [context.getHandler(), context.getClass()]) === true;
    if (!scopeByRoute && !mayWrite(verified.scopes) && !READ_ONLY_METHODS.has(request.method)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'this API key is read-only; it may only read (GET)');
    }
    return true;
  }

  private async claimsOf(token: string): Promise<VerifyCredentialRequest> {
    try {
      const claims = await this.tokens.verify(token);
      return { userId: claims.userId, sessionId: claims.sessionId };
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, err.reason === 'expired' ? 'access token expired; refresh it' : 'access token is invalid');
      }
      throw err;
    }
  }
}

/** The session (refresh-token family) of the access token of this request; undefined for API keys. */
export const CurrentSessionId = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().credential?.sessionId;
});
