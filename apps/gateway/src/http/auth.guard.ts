import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessContracts, type Actor, AppError, ErrorCode, type ProfileView, serviceActor, type VerifiedCredential, type VerifyCredentialRequest } from '#contracts';
import { AccessTokens, InvalidTokenError, type VerifiedAccessClaims } from '#auth';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyRequest } from 'fastify';
import { clientOf } from './actor.js';
import { CredentialCache } from './credential-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** How the caller proved who it is (the session of an access token, or an API key), and who that is. */
    credential?: { sessionId?: string; apiKeyId?: string; profile?: ProfileView };
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
 * Identity decides whether a credential is still good; this replica keeps its answer for a few
 * seconds (CredentialCache) together with a share of the user's request budget, and asks again
 * when either runs out. Identity broadcasts every logout, revoked key, password change and
 * deactivation to every replica before it answers the request that made it, so they take effect
 * on the next request on every replica without a hop per request. An access token's signature
 * and claims are checked here first, so forged or expired tokens never reach identity.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Checks of one credential under way, so that a burst of requests with it asks identity once. */
  private readonly inflight = new Map<string, Promise<VerifiedCredential>>();

  constructor(
    private readonly tokens: AccessTokens,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly reflector: Reflector,
    private readonly cache: CredentialCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header) : null;
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'send an access token or API key as "Authorization: Bearer <token>"');
    const client = clientOf(request);
    const verified = await this.verified(match[1], client);
    request.actor = { kind: 'user', userId: verified.userId, isSuperuser: verified.isSuperuser, scopes: verified.scopes, ...client };
    request.credential = { sessionId: verified.sessionId, apiKeyId: verified.apiKeyId, profile: verified.profile };
    const scopeByRoute = this.reflector.getAllAndOverride<boolean | undefined>(SCOPE_BY_ROUTE, [context.getHandler(), context.getClass()]) === true;
    if (!scopeByRoute && !mayWrite(verified.scopes) && !READ_ONLY_METHODS.has(request.method)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'this API key is read-only; it may only read (GET)');
    }
    return true;
  }

  /** From this replica's cache while it holds the user's budget, else from identity (one check per credential at a time). */
  private async verified(presented: string, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<VerifiedCredential> {
    if (!this.cache.enabled) return this.ask(presented, client);
    if (!this.bus.isConnected()) {
      // Cut off from NATS, this replica may be missing identity's hints: trust nothing it kept
      // (asking then fails as every request does while the bus is down: 503).
      this.cache.clear();
      return this.ask(presented, client);
    }
    const cached = this.cache.get(presented);
    if (cached && this.cache.spend(cached.userId)) return cached;
    const pending = this.inflight.get(presented);
    if (pending) {
      // Another request is asking for this credential: its answer (or its refusal) is ours too,
      // and the budget it brings back pays for this request; if it does not, ask on our own.
      const answer = await pending;
      if (this.cache.spend(answer.userId)) return answer;
      return this.ask(presented, client);
    }
    const asking = this.ask(presented, client);
    this.inflight.set(presented, asking);
    try {
      return await asking;
    } finally {
      this.inflight.delete(presented);
    }
  }

  /** One check by identity, which also counts this request (and leases more of the budget). */
  private async ask(presented: string, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<VerifiedCredential> {
    const stamp = this.cache.stamp();
    let credential: VerifyCredentialRequest;
    let expiresAt = Infinity;
    if (presented.startsWith(API_KEY_PREFIX)) {
      credential = { apiKey: presented };
    } else {
      const claims = await this.claimsOf(presented);
      credential = { userId: claims.userId, sessionId: claims.sessionId };
      expiresAt = claims.expiresAt;
    }
    const verified = await this.bus.request(AccessContracts.verifyCredential, credential, { actor: { ...serviceActor('gateway'), ...client } }).catch((err: unknown) => {
      // A credential identity cannot even parse (an over-long key, say) is a bad credential, not a bad request.
      if (err instanceof AppError && err.code === ErrorCode.VALIDATION_FAILED) throw new AppError(ErrorCode.UNAUTHENTICATED, 'the credential is invalid');
      throw err;
    });
    this.cache.admit(presented, verified, stamp, expiresAt);
    return verified;
  }

  private async claimsOf(token: string): Promise<VerifiedAccessClaims> {
    try {
      return await this.tokens.verify(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, err.reason === 'expired' ? 'access token expired; refresh it' : 'access token is invalid');
      }
      throw err;
    }
  }
}

/** The caller as GET /me shows it, from the credential check of this request (identity's answer, or this replica's copy of it). */
export const CurrentProfile = createParamDecorator((_: unknown, context: ExecutionContext): ProfileView | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().credential?.profile;
});

/** The session (refresh-token family) of the access token of this request; undefined for API keys. */
export const CurrentSessionId = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().credential?.sessionId;
});
