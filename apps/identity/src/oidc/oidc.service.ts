import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AppError, ErrorCode, type OidcCallbackRequest, type OidcLoginReply, type SessionReply } from '#contracts';
import type { IdentityConfig } from '#config';
import { ActingUser, Database } from '#persistence';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { IDENTITY_CONFIG } from '../identity-config.module.js';
import { UsersService } from '../users/users.service.js';
import { OidcClient, type IdTokenClaims } from './oidc-client.js';
import { OidcErrors } from './oidc.errors.js';
import { OidcRepository } from './oidc.repository.js';

const STATE_TTL_MS = 10 * 60_000;
/** Abandoned sign-ins are swept this long after they expire, as new ones start. */
const SWEEP_AFTER_MS = 60 * 60_000;

const random = () => randomBytes(32).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest();

@Injectable()
export class OidcService {
  private readonly client: OidcClient | undefined;

  constructor(
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    private readonly repository: OidcRepository,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly database: Database,
  ) {
    this.client = config.oidc ? new OidcClient(config.oidc) : undefined;
  }

  async login(): Promise<OidcLoginReply> {
    const client = this.requireClient();
    const state = random();
    const nonce = random();
    const codeVerifier = random();
    const authorizationUrl = await client.authorizationUrl({ state, nonce, codeChallenge: sha256(codeVerifier).toString('base64url') });
    await this.repository.insertState({ stateHash: sha256(state), nonce, codeVerifier, expiresAt: new Date(Date.now() + STATE_TTL_MS) });
    // The table stays the size of the traffic in flight.
    await this.repository.deleteExpiredBefore(new Date(Date.now() - SWEEP_AFTER_MS));
    return { authorizationUrl };
  }

  async callback(request: OidcCallbackRequest, actor: Actor): Promise<SessionReply> {
    const client = this.requireClient();
    // The state is spent whatever happens next: a callback can never be replayed.
    const pending = await this.repository.takeState(sha256(request.state));
    if (!pending || pending.expiresAt.getTime() <= Date.now()) throw OidcErrors.badState();
    if (request.error !== undefined) throw OidcErrors.providerRefused();
    if (!request.code) throw OidcErrors.missingCode();
    const claims = await client.redeem(request.code, pending.codeVerifier, pending.nonce);
    try {
      return await this.signIn(client.config.providerName, claims, actor);
    } catch (err) {
      // Two first sign-ins of one identity at once: the loser's new account or link conflicts with
      // the winner's, and a second try finds the winner's row. A conflict that is not a race is
      // answered the same the second time.
      if (err instanceof AppError && err.code === ErrorCode.CONFLICT) return this.signIn(client.config.providerName, claims, actor);
      throw err;
    }
  }

  /**
   * By (provider, subject) first; else an existing account by verified email; else a new account.
   * The lookups are made before anyone is known, the changes as the account found or made.
   */
  private signIn(provider: string, claims: IdTokenClaims, actor: Actor): Promise<SessionReply> {
    return this.database.transaction(async () => {
      const linked = await ActingUser.system('OIDC sign-in: find the account of an external identity', () => this.users.findByExternalIdForUpdate(provider, claims.subject));
      if (linked) {
        if (!linked.isActive) throw OidcErrors.inactive();
        return this.auth.signIn(linked, actor);
      }
      if (!claims.email) throw OidcErrors.noEmail();
      const email = claims.email;
      const existing = await ActingUser.system('OIDC sign-in: find the account of a verified email', () => this.users.findByEmailForUpdate(email));
      if (existing) {
        // An unverified email proves nothing: linking on it would hand the account to whoever typed it at the provider.
        if (!claims.emailVerified) throw OidcErrors.emailTaken();
        if (existing.externalProvider !== null) throw OidcErrors.linkedElsewhere();
        if (!existing.isActive) throw OidcErrors.inactive();
        await ActingUser.run(existing.id, () => this.users.linkExternalIdentity(existing.id, provider, claims.subject));
        await this.audit.record(actor, { action: 'oidc.user.linked', actorId: existing.id, targetType: 'user', targetId: existing.id, metadata: { provider } });
        return this.auth.signIn(existing, actor);
      }
      const user = await this.users.create({ email, passwordHash: null, name: claims.name });
      await ActingUser.run(user.id, () => this.users.linkExternalIdentity(user.id, provider, claims.subject));
      await this.audit.record(actor, { action: 'oidc.user.created', actorId: user.id, targetType: 'user', targetId: user.id, metadata: { provider } });
      return this.auth.signIn(user, actor);
    });
  }

  private requireClient(): OidcClient {
    if (!this.client) throw OidcErrors.notConfigured();
    return this.client;
  }
}
